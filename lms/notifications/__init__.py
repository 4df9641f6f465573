"""In-app notifications: a row per message for one user, and the unread counter on their account."""
