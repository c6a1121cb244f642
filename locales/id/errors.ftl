### Bahasa Indonesia (the fallback language). Error pages (src/web/error.rs) and the JSON APIs' field errors (src/web/api.rs, followup_api.rs).

error-not-found-title = Halaman tidak ditemukan
error-bad-form-title = Formulir tidak dapat dibaca
error-cross-site-title = Permintaan ditolak
error-busy-title = Sedang sibuk
error-unavailable-title = Laporan belum dapat disimpan
error-not-found-message = Alamat ini tidak ada. Kembali ke beranda untuk melapor atau membaca informasi WBS.
error-bad-form-message = Kiriman ini bukan formulir dari halaman kami. Buka kembali halaman Lapor dan kirim dari sana.
error-cross-site-message = Formulir ini dikirim dari situs lain, jadi kami menolaknya demi keamanan Anda. Buka halaman ini langsung dari alamat WBS.
error-busy-message = Banyak laporan sedang diproses. Tidak ada yang disimpan dari kiriman ini. Tunggu beberapa detik lalu kirim lagi (tombol kembali di peramban menyimpan isian Anda).
error-unavailable-message = Terjadi gangguan penyimpanan dan laporan Anda TIDAK tersimpan; tidak ada kode resi yang dibuat. Coba lagi sebentar lagi.
api-unknown-field = kolom tidak dikenal
api-required = wajib diisi
api-wrong-type-of-value = jenis nilai salah
api-not-utf-8-text = bukan teks UTF-8
api-not-valid-json = bukan JSON yang sah
api-send-as-application-json = kirim sebagai application/json
api-too-large-at-most = terlalu besar (paling banyak 256 KiB)
api-could-not-be-read = tidak dapat dibaca
api-report-was-not-stored = laporan belum tersimpan; coba lagi sebentar lagi
api-unknown-receipt-code = kode resi tidak dikenal
api-not-valid-json-with = bukan JSON yang sah dengan kolom yang diharapkan
api-page-before-invalid = harus bilangan bulat positif: nilai `before` dari `older` atau `newer` jawaban sebelumnya
api-one-time-receipt-code = kode resi sekali pakai: masuk dulu di halaman Pantau untuk mendapat kode resi baru
api-busy-try-again = sedang sibuk; coba lagi
api-storage-fault-try-again = gangguan penyimpanan; coba lagi
api-message-was-not-stored = pesan belum tersimpan; coba lagi
