"""feedsvc: publishes a newsroom's article store as RSS 2.0 and Atom 1.0 feeds, over HTTP and as files."""
