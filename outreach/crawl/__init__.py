"""Crawl feature: polite discovery crawls, opportunity detection and contact discovery."""
