"""The browser app: a static page shell, its scripts and the cookie-held sign-in session."""
