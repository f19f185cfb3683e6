"""Configuration defaults. Each can be overridden in ``instance/config.py`` and then by
an environment variable with the ``LETTERTRAIL_`` prefix (``LETTERTRAIL_DATABASE_URL``).
"""

# A database URL; ``None`` means ``instance/lettertrail.sqlite``.
# PostgreSQL: ``postgresql+psycopg://user@host/dbname``.
DATABASE_URL = None

# Signs session cookies and CSRF tokens. The development default is refused by
# ``flask check-deploy``; set a long random value in production.
SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - the known default check-deploy refuses

# Where slips' QR codes lead: ``PUBLIC_BASE_URL/m/<code>``. ``None`` uses the request's host.
PUBLIC_BASE_URL = None

# How many reverse proxies stand in front of the app (nginx, Caddy: 1). When > 0, the
# client's address, scheme and host are read from their X-Forwarded-* headers (werkzeug's
# ProxyFix); leave 0 when the app is reached directly, or anyone could forge them.
PROXY_FIX = 0

# Seconds SQLite waits on a locked database before giving up.
SQLITE_BUSY_TIMEOUT_MS = 10_000

# Forms and the JSON API: 1 MiB. The CSV import raises its own limit (10 MB).
MAX_CONTENT_LENGTH = 1024 * 1024
# A multipart form (the import's) holds a few fields beside its file: at most this many
# parts, and at most this many bytes in any one text field (files do not count). The
# longest form has 13 fields; the longest text, a summary, 5,000 characters (20 kB at
# most). Werkzeug also applies the byte limit to each 64 KiB it reads: keep it above.
MAX_FORM_PARTS = 100
MAX_FORM_MEMORY_SIZE = 256 * 1024

# Served over HTTPS (production): secure cookies and Strict-Transport-Security for a
# year. ``LETTERTRAIL_HTTPS=true``; ``flask check-deploy`` refuses a config without it.
HTTPS = False

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = False
# Idle sessions end after 30 minutes (the cookie is refreshed on every request).
PERMANENT_SESSION_LIFETIME = 30 * 60
REMEMBER_COOKIE_DURATION = 0

WTF_CSRF_ENABLED = True
WTF_CSRF_TIME_LIMIT = 12 * 3600

# Rate limits (Flask-Limiter): counts in memory unless a Redis URL is given
# (``LETTERTRAIL_RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379``), as several workers need.
RATELIMIT_STORAGE_URI = "memory://"
RATELIMIT_HEADERS_ENABLED = True
# Refused sign-ins per client address; exports and PDF sheets per user.
RATELIMIT_SIGN_IN = "10 per minute"
RATELIMIT_EXPORTS = "10 per minute"
RATELIMIT_SHEETS = "10 per minute"

# How many mailings one page of the list shows.
MAILINGS_PER_PAGE = 50
