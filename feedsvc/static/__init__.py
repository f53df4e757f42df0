"""The static door: every path the service serves, written as files, atomically, with the header
rules a static host needs (Netlify/Cloudflare `_headers`, an nginx snippet).

Only this package writes output files. May import `publish`, `store`, `render`, `model`, `paths`,
`config`, `forking` and `words`; nothing imports it but `cli`.
"""
