"""HR export files: the template, streaming readers and the row → BOI payload check.

Pure Python (no Django): the console's services feed it byte chunks and store what it
returns. Memory stays bounded whatever the file size: CSV is read through a streaming
text decoder and ``csv.reader``; JSON (an array of objects, or one object per line) is
decoded one object at a time over a sliding buffer (``idbridge.streams``).

A row becomes the BOI staff object (``staffNumber``, ``employments``, ``positions``,
``household.householdLocations[0].address`` …) with the district's mapping tables
applied, and every problem is reported as ``RowProblem(column, field, code, message)``:
the column as the *file* names it, so the operator can find the cell.

- ``template``: the documented columns; ``column_map``: file headers → template columns;
- ``reading``: encoding and format; ``csv_records`` / ``json_records``: the records;
- ``resolver``: the mapping tables; ``cells``: one record's cells and problems;
- ``rows``: a record → the staff payload (``build_row``), with ``employment`` (numbered
  employments and positions), ``address`` (the household address, normalized once) and
  ``validation`` (the BOI rules' check, reported against the file's columns).
"""
