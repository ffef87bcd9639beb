"""Purchase lines written through COPY on PostgreSQL (issue 28 item 4).

`record_purchases` (customers/services.py) validates a batch, locks its orders, then
calls `insert_lines` here: the lines go by COPY into a per-connection temporary staging
table, and one INSERT ... SELECT ... ON CONFLICT DO NOTHING moves them into
customers_purchase, returning the (order_id, product_id) pairs it created. The staging
table is emptied by the same statement (a data-modifying CTE), so a second batch in the
same transaction never sees the first one's rows. Audit rows for the batch go by COPY
too (`audit.services.append_events`).

SQLite keeps the ORM path in services.py; nothing here runs there.
"""

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

STAGING = "customers_purchase_staging"

_CREATE_STAGING = f"""
CREATE TEMPORARY TABLE IF NOT EXISTS {STAGING} (
    position integer NOT NULL,
    customer_id uuid NOT NULL,
    order_id varchar(100) NOT NULL,
    product_id bigint NOT NULL,
    quantity integer NOT NULL,
    unit_price numeric(10, 2) NOT NULL,
    purchased_at timestamptz NOT NULL
) ON COMMIT DELETE ROWS
"""

# The first line of each (order_id, product_id) in the batch is the one that may be
# created; a repeat within the batch, or a line already stored, is a duplicate.
_MOVE = """
WITH staged AS (DELETE FROM customers_purchase_staging RETURNING *)
INSERT INTO customers_purchase
    (customer_id, order_id, product_id, quantity, returned_quantity, unit_price,
     purchased_at, created_at)
SELECT DISTINCT ON (order_id, product_id)
    customer_id, order_id, product_id, quantity, 0, unit_price, purchased_at, %s
FROM staged
ORDER BY order_id, product_id, position
ON CONFLICT (order_id, product_id) DO NOTHING
RETURNING order_id, product_id
"""


def insert_lines(lines: Sequence, products: dict[str, int]) -> set[tuple[str, int]]:
    """Store the lines (services.PurchaseLine) whose (order_id, product) is new; returns
    the pairs created. Runs inside the caller's transaction, after its order locks."""
    connection = transaction.get_connection()
    with connection.cursor() as cursor:
        cursor.execute(_CREATE_STAGING)
        raw = cursor.cursor  # psycopg 3's cursor, under Django's wrapper
        with raw.copy(
            f"COPY {STAGING} (position, customer_id, order_id, product_id, quantity, "
            "unit_price, purchased_at) FROM STDIN"
        ) as copy:
            for position, line in enumerate(lines):
                copy.write_row(
                    (
                        position,
                        line.customer_id,
                        line.order_id,
                        products[line.sku],
                        line.quantity,
                        line.unit_price,
                        line.purchased_at,
                    )
                )
        cursor.execute(_MOVE, [timezone.now()])
        return {(order_id, product_id) for order_id, product_id in cursor.fetchall()}
