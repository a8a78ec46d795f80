"""The web pages for analysts (`/ui`), served by the same application as the API,
with the same keys, roles and audit trail: server-rendered Jinja2 templates with
autoescaping, no script, a signed session cookie and a CSRF token on every form."""
