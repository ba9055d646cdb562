"""Users, roles, property grants, sessions and API tokens."""
