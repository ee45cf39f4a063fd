"""Sessions read from the shared cache, written to the database: Django's cached_db, safe when the cache is down.

Every request of a signed-in person reads their session; in a busy workshop that is a database query
per poll. With a shared cache (Redis, settings.CACHE_URL) the session is read from there and the
database only on a miss. Django's cached_db already falls back to the database when reading from the
cache fails, and logs a failed write on save; it does not when it copies a session read from the
database back into the cache, so a Redis restart would fail every request. Deleting (logging out)
still needs the cache: a session left there would outlive its log-out.
"""

import logging

from django.contrib.sessions.backends import cached_db

logger = logging.getLogger("django.contrib.sessions")


class SessionStore(cached_db.SessionStore):
    def load(self):
        try:
            data = self._cache.get(self.cache_key)
        except Exception:
            data = None
        if data is not None:
            return data
        stored = self._get_session_from_db()
        if not stored:
            return {}
        data = self.decode(stored.session_data)
        try:
            self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=stored.expire_date))
        except Exception:
            logger.exception("Error saving to cache (%s)", self._cache)
        return data
