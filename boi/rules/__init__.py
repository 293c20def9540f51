"""Business Office Integration (BOI) rules, as pure Python.

Everything here comes from Campus's Business Office Integration guide and has no Django,
database or network dependency, so the Campus sandbox (which enforces the rules) and the
idbridge BOI console (which checks HR files before sending them) share one implementation.

Modules:
    errors     RuleError, the ``{"field", "code", "message"}`` triple the BOI API returns
    pub28      USPS Publication 28 tables (directionals, C1 suffixes, C2 unit designators)
    addresses  address validation, parsing (usaddress), normalization, match key, matching
    staff      staff payload validation against the district's mapping lists, name changes
    positions  district-assignment (position) update matching plans
    households household decisions (create / update / ignore)
    sync       staff synchronization: Check Campus Data, validate-report entries, sessions
"""
