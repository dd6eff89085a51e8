"""The web-crawling library: fetching, robots.txt, page and sitemap discovery, image
validation, de-duplication, search-API clients and dataset file writers. No database and no
web framework; the ``crawls`` and ``datasets`` domains drive it."""
