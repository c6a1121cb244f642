# Load bounds (docs/design.md §11): a full case, a nearly full disk.
limits-case-full = This case has reached its limit of messages, so your message was not stored. Please contact the office through another channel.
limits-disk-full = The server is almost out of storage space, so what you sent was not stored. Please try again later; no report already stored is lost.
