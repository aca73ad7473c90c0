"""Tooling that sets up Odoo, PostgreSQL and the test run for collection_management."""
