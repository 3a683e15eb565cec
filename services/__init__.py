"""Stage services and the projection: deciders, policies, views and their wiring."""
