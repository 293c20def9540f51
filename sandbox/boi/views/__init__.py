"""Campus's Business Office Integration tools in the sandbox UI.

System Settings > Business Office Integration, as the guide names it: API Credentials
(``credentials``), Synchronization with Check Campus Data (``synchronization``), Error Log
with Export to PDF (``error_log``), Notifications, tool rights and the Message Center they
deliver to (``notifications``), Preferences (``preferences``); plus the Combine Person tool
(``combine``) and hand edits of a person that the preferences lock for HR-controlled staff
(``person_edit``). ``core.view_sandbox`` sees, ``core.manage_sandbox`` changes; every change
is audited by the service it calls.
"""
