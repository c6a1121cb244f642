### Bahasa Indonesia. Metadata scrubbing of uploads (src/intake/scrub, src/web/form.rs, the desk and the CLI).

scrub-cannot-be-cleaned = berkas ini rusak atau tidak lazim, sehingga metadatanya (lokasi, kamera, waktu, penulis) tidak dapat dihapus dengan aman; simpan ulang (foto sebagai JPG atau PNG, dokumen sebagai PDF; PDF yang dikunci kata sandi atau rusak: cetak ulang ke PDF baru) lalu kirim lagi
scrub-heic-or-video = foto HEIC dan video tidak diterima karena metadatanya (lokasi, waktu, perangkat) tidak dapat dihapus; ubah foto menjadi JPG (atau kirim tangkapan layar), dan untuk video kirim tangkapan layar atau uraikan isinya
scrub-not-cleaned = metadata tidak dihapus

## Retention (src/intake/retention.rs, `wbs cases`).
retention-deleted-total = { $n } kasus dihapus menurut aturan masa simpan:
retention-rule-closed = selesai melewati masa simpan
retention-rule-never-taken-up = tidak pernah ditindaklanjuti
