"""The only code that writes more than one row: each function named <noun>_<verb>, atomic.

- answers.py: `answers_recompute`, the one entry point that works postcode and district
  answers out again (at once, or once at the end of `answers_deferred`);
- areas.py: `areas_rebuild` (each area the union of its LSOAs) and `lsoa_changed`;
- moves.py: `lsoas_move` and `lsoas_move_preview`, what a move would do before it is made;
- publishing.py: `boundaries_publish`, `boundaries_snapshot` and `caches_clear`, the one
  cache clear;
- removal.py: `record_remove` and `record_restore`, deleting a practice or neighbourhood in
  the admin and putting it back with the memberships its removal ended, each with its preview.

Front doors (the admin, the API, views, commands, signals) call these; these call the reads
(`selectors`, `stored_answer`, `versions`) and the models, never a front door.
"""
