"""Domain errors: raised by the store and services, turned into one friendly sentence by each
front end (console, Discord, Slack). Their message is that sentence."""


class NewsbotError(Exception):
    """Base for errors whose message can be shown to a user as is."""


class AlreadyWatching(NewsbotError):
    pass


class NotWatching(NewsbotError):
    pass


class FeedExists(NewsbotError):
    pass


class FeedNotFound(NewsbotError):
    pass


class BadArgument(NewsbotError):
    pass


class UnsafeURL(NewsbotError):
    pass
