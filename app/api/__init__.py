"""Management Tool API: settings, URL rules, models, typed errors and the async client.

Entry points: ``app.api.client.ManagementClient`` (all calls), ``app.api.errors`` (what
they raise), ``app.api.models`` (what they return), ``app.api.tls.fetch_certificate``
(inspecting a certificate before trusting it).
"""
