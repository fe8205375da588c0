"""Progress tracking: time entries and timesheets, baselines, earned value, progress reports
and change requests. Tasks themselves, their statuses and the board live in planning."""
