"""Test settings: the embedded settings plus what makes tests fast and hermetic.

Unit tests run jobs eagerly; every job also has an end-to-end test through a real
``celery worker`` process (tests/e2e), which starts its own stack with the normal settings.
SQLite (in memory) unless ``DATABASE_URL`` is set, as in CI's MySQL leg.
"""

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# Estimators that sleep, hog memory or crash on purpose (runs.testing_estimators).
TUNEBENCH_TEST_ESTIMATORS = True
