"""A realistic, deterministic school district for the Campus sandbox. No Django.

``DistrictGenerator(staff=N, students=M, seed=S, as_of=date)`` (``district``) yields rows
(dicts keyed by model field names, with explicit ids) for the reference tables and then for
people in batches, so 100,000 staff never sit in memory at once. The same arguments always
give the same district; dates are relative to ``as_of``.

What makes it realistic (and dirty, as real Campus data is), by module:

- ``reference``: schools of each kind and a district office; state assignment codes and
  district title codes;
- ``staff``: staff with hire/termination dates, rehires, transfers (ended positions, some
  linked to other activity), extra positions (coaches, advisors; some title-only); a few
  with a blank or a duplicated Local Staff Number;
- ``people``: name changes (an ended identity and a current one);
- ``students``: students with parents/guardians; some staff are parents and share a
  household with students (a few staff share a household with another staff member);
- ``households``: addresses written in the many ways people write them ("N"/"North"/"N.",
  "Ave"/"Avenue"/"AVE", "#12"/"Apt 12"/"Unit 12", ZIP+4, upper case, a whole street line in
  one field), PO boxes, households at the same address record, and near-duplicate address
  records;
- ``data``: the names, titles, streets and cities drawn from.
"""
