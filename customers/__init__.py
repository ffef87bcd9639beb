"""Customers: the customer record, products, purchases and service interactions."""
