"""micedesk: the business-tourism (MICE) platform of a destination."""
