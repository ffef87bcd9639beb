"""`field__any_of=values`: `IN (...)` that PostgreSQL receives as one array parameter.

A purchase batch asks "which of these 500 ids..." several times. Django renders `__in`
as 500 placeholders, each quoted by psycopg on the client: 29 ms against 9 ms for
`= ANY(%s)` with one array, as measured on a 500-id customer query (issue 28). Same
rows either way; other databases get the plain `IN`. UUIDs go as one text literal of
the array (hex digits only) cast to uuid[].
"""

import uuid

from django.core.exceptions import EmptyResultSet
from django.db.models import Field
from django.db.models.lookups import In


class AnyOf(In):
    lookup_name = "any_of"

    def as_postgresql(self, compiler, connection):
        if self.rhs_is_direct_value():
            field = self.lhs.output_field
            values = [
                field.get_db_prep_value(value, connection, prepared=True)
                for value in self.rhs
                if value is not None
            ]
            if not values:
                raise EmptyResultSet
            lhs, lhs_params = self.process_lhs(compiler, connection)
            if field.db_type(connection) == "uuid" and all(
                isinstance(value, uuid.UUID) for value in values
            ):
                # Ids as one array literal of hex digits (nothing in it to quote): psycopg
                # adapts a list one element at a time, which was two thirds of loading a
                # page's thousand data keys (28.6 ms to 9.0 ms for 10,000 ids, issue 28).
                literal = "{" + ",".join(value.hex for value in values) + "}"
                return f"{lhs} = ANY(%s::uuid[])", (*lhs_params, literal)
            return f"{lhs} = ANY(%s)", (*lhs_params, values)
        return super().as_sql(compiler, connection)


def register() -> None:
    Field.register_lookup(AnyOf)
