"""Health-only connections: each Application Server's Management Tool healthcheck, read
without credentials (the one interface the product documents for every deployment)."""
