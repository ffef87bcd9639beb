from django.apps import AppConfig


class RuntimeConfig(AppConfig):
    name = "runtime"
    verbose_name = "Runtime health"

    def ready(self) -> None:
        # Before any URLconf loads: routes mark secret path segments with <secret:...>.
        from runtime import lookups
        from runtime.secret_paths import register

        register()
        lookups.register()  # field__any_of (runtime/lookups.py)
