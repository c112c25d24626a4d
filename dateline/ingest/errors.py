"""What an import can refuse, drawn before the code:

    IngestError            anything ingest refuses; str() is one line naming the file or item
    ├── UnreadableFile     missing, unreadable, too large, or not the format expected
    │   └── UnsafeXML      a DTD, entity declaration or external reference: refused before any write
    ├── BadItem            one item of a file is wrong; the rest of the file goes on
    └── FetchError         an HTTP fetch failed, was too large, or was refused

Commands turn an ``IngestError`` into a one-line message and a non-zero exit.
"""


class IngestError(Exception):
    pass


class UnreadableFile(IngestError):
    pass


class UnsafeXML(UnreadableFile):
    pass


class BadItem(IngestError):
    pass


class FetchError(IngestError):
    pass
