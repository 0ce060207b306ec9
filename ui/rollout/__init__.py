"""The Rolling maintenance panel: the plan, each server's step, and the admin's controls."""
