### Bahasa Indonesia (the fallback language).
# The investigator's tools print each label in both languages, English first: "Category / Kategori:".
cli-anonymous = anonim
cli-attachments = Lampiran
cli-category = Kategori
cli-channel = Kanal
cli-chronology = Kronologi
cli-contact = Kontak
cli-content = Isi
cli-created = Dibuat
cli-criteria = Kriteria
cli-deadline = Tenggat
cli-evidence = Bukti
cli-followup = Pesan pelapor
cli-good-faith = Itikad baik
cli-identity = Identitas pelapor
cli-internal-note = Catatan internal
cli-name = Nama
cli-new-key = Kunci baru
cli-parties = Terlapor
cli-place = Tempat
cli-receipt-replaced = Resi diganti
cli-reply = Pesan untuk pelapor
cli-reporter = Pelapor
cli-status-history = Riwayat status
cli-status-note = Catatan untuk pelapor
cli-text = Teks
cli-time = Waktu
