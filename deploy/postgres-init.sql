-- Two databases on the one server: the data database and the key store. Back them up
-- separately; the key store's backups have a short retention (see README).
CREATE DATABASE custodian_keys;
