"""Error reports that never show key material, with DEBUG on or off.

Django's SafeExceptionReporterFilter hides `sensitive_variables` only when DEBUG is
off, so the debug page of `make run` showed master-key bytes in the vault's frames. This
filter is always active: every function of the vault that holds key material (or a
plaintext it is sealing) is marked with `sensitive_variables()`, and its frames, and
the frames it calls, show stars in debug pages and in emailed reports alike.
"""

from django.views.debug import SafeExceptionReporterFilter


class AlwaysSafeExceptionReporterFilter(SafeExceptionReporterFilter):
    def is_active(self, request) -> bool:
        return True
