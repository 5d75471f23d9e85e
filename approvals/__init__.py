"""Approval of a month's recording figures, level by level, and the lock it puts on them.

The period is a calendar month: the province's monthly recap is by month, and a month is what
a regency head signs. A regency's admin (or an admin of its province) approves the regency's
month once the month has ended and its daily reports are complete (`recording.selectors.
completeness`: every report the stations in service owed for every day of the month); with
fewer, only with a written reason, kept on the approval. An admin of the province then accepts
it; the national level reads what is accepted. A superuser acts as the national level.

An approved month is locked for its regency: no daily count of a station in it may be created
or changed (the entry form, the upload and `import_counts` all go through
`daily_counts_check`), and no repair step may be dated inside it (it would change which days a
station owed a report). Unlocking needs the level that approved, or the province once it has
accepted, or above, and a reason. Every step (approved, accepted, unlocked) is an audit row.
An unlocked approval stays as history; the month may then be approved again.
"""
