"""The article folder → immutable snapshots of the model, and notice of what changed.

Walks the folder, reads changed files through `feedsvc.source`, keeps a parse cache, settles which
file wins a contested id or URL, and watches for edits. `store.Store` coordinates; each job has its
module: `walk` (the file walk), `folder` (the looks that keep the files current) with `filestates`
(each file as last read) and `bodies`, `sitewatch`, `peoplewatch` (the authors file), `stories` (what
is published) with `claims` and `references`, `timeline`, `snapshot`, `trouble` (what is wrong with
the store as a whole, said on every look), `policy` (GC and cache re-saving), `files`, `parsecache`
with `cachekeeper` (when a store reads and saves it), `watch`, `startup` (whether a folder can be
published at all), and `settings` (what it is told: read limits, refresh timings).

May import `source`, `model`, `uri`, `forking` and `versions`; never `render`, `publish` or the doors.
"""
