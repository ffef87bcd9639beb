"""Routes the vault's key store to its own database alias, `keys`.

Nothing else lives in that database, and no vault table lives in the data database, so
a backup of either one never holds both the ciphertext and the keys that open it.
"""

KEYS_DB = "keys"


class KeyStoreRouter:
    app_label = "vault"

    def db_for_read(self, model, **hints):
        return KEYS_DB if model._meta.app_label == self.app_label else None

    def db_for_write(self, model, **hints):
        return KEYS_DB if model._meta.app_label == self.app_label else None

    def allow_relation(self, obj1, obj2, **hints):
        if self.app_label in (obj1._meta.app_label, obj2._meta.app_label):
            return obj1._meta.app_label == obj2._meta.app_label
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if db == KEYS_DB:
            return app_label == self.app_label
        if app_label == self.app_label:
            return False
        return None
