# Load bounds (docs/design.md §11): a full case, a nearly full disk.
limits-case-full = This case has reached its limit of messages, so your message was not stored. Please contact the office through another channel.
limits-disk-full = The server is almost out of storage space, so what you sent was not stored. Please try again later; no report already stored is lost.
limits-documents-busy = The server is cleaning many other documents (PDF, Word, Excel, PowerPoint, OpenDocument) right now, so this file was not accepted. Please choose it again and send it in a few minutes.
