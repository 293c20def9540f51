"""Campus connectors: the clients idbridge uses to talk to an Infinite Campus.

They know nothing of Django models; `staff/` turns what they return into records.
"""
