"""Staff accounts: admins now; agents and supervisors with the desk."""
