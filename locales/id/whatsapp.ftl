### Bahasa Indonesia (the fallback language). The WhatsApp dialogue (src/whatsapp/texts.rs, prompts.rs). Limits: interactive bodies 1024 characters, button titles 20, list row titles 24 (tested in texts.rs).

wa-site = situs WBS DPMPTSP Kota Tarakan
wa-not-stored-yet = Pesan Anda belum kami simpan: setujui dulu ketentuan di bawah, lalu kirim lagi.
wa-no-report-running = Tidak ada laporan yang sedang berjalan.
wa-consent-thanks = Terima kasih. Jawab pertanyaan satu per satu; setiap jawaban langsung dienkripsi.
wa-category-prompt = 1/8 — Pilih kategori pelanggaran yang ingin Anda laporkan.
wa-category-more-prompt = 1/8 — Kategori lainnya:
wa-category-button = Pilih kategori
wa-category-section = Kategori
wa-choose-from-list = Pilih salah satu dari daftar (tekan tombol di bawah), atau tulis nomornya (1–13).
wa-kind-prompt = 2/8 — Anda melapor sebagai apa?
wa-kind-public = Masyarakat
wa-next-button = Lanjut
wa-add-person = Tambah terlapor
wa-part-entry = Isian
wa-when-prompt = 5/8 — Kapan kejadiannya? Tulis tanggal atau perkiraan waktunya, atau *tidak tahu* (kriteria 4: waktu dan tempat).
wa-place-prompt = 6/8 — Di mana kejadiannya? (misalnya: loket 2 Mal Pelayanan Publik). Boleh juga kirim lokasi WhatsApp yang bernama, atau tulis *tidak tahu*.
wa-name-prompt = 7/8 — Siapa nama Anda? Nama samaran boleh. Di sistem kami, nama hanya dapat dibaca tim pengelola WBS; Meta (WhatsApp), yang menyalurkan percakapan ini, juga dapat membacanya (kriteria 1: identitas pelapor). Tanpa nama, laporan tetap diterima tetapi mungkin tidak dapat ditindaklanjuti.
wa-anon-button = Tanpa nama
wa-anonymous-note = Anda memilih tanpa nama: laporan belum memenuhi kriteria 1 dan mungkin tidak dapat ditindaklanjuti. (Meta tetap melihat nomor Anda.)
wa-evidence-ack = Keterangan bukti diterima dan dienkripsi. Kirim lagi atau tekan Lanjut.
wa-contact-prompt = Bolehkah tim pengelola WBS menghubungi Anda lewat nomor WhatsApp ini? Jika ya, nomor Anda dimasukkan ke laporan terenkripsi (di sistem kami hanya tim yang dapat membacanya). WhatsApp hanya mengizinkan tim menulis bebas dalam 24 jam sejak pesan terakhir Anda; sesudahnya tim hanya dapat mengirim pemberitahuan singkat "ada kabar tentang laporan Anda" (tanpa isi laporan), jika kantor sudah menyiapkannya. Jika tidak, pantau laporan di web dengan kode resi.
wa-contact-yes = Ya, boleh
wa-no = Tidak
wa-use-buttons = Silakan pilih dengan tombol di bawah.
wa-not-repeated = (diterima; tidak ditampilkan ulang)
wa-summary-head = *Ringkasan laporan Anda*
wa-summary-foot = Dengan menekan *Kirim laporan*, Anda menyatakan laporan ini dibuat dengan itikad baik dan sesuai yang Anda ketahui.
wa-summary-restarted = Sebagian jawaban tidak ditampilkan ulang karena layanan sempat dimulai ulang; jawaban itu tetap tersimpan terenkripsi dan ikut terkirim.
wa-change = Ubah
wa-cancel = Batal
wa-yes = Ya
wa-change-prompt = Bagian mana yang ingin diubah? Jawaban lama bagian itu dihapus dan Anda menjawab ulang.
wa-change-button = Pilih bagian
wa-files-label = File bukti (hapus semua)
wa-store-failed = Maaf, terjadi gangguan dan laporan BELUM tersimpan. Jawaban Anda masih ada: tekan Kirim laporan lagi sebentar lagi.
wa-cancelled = Laporan dibatalkan. Semua yang sudah Anda kirim dalam percakapan ini telah dihapus dari server kami. Kirim pesan apa saja untuk mulai lagi.
wa-help = *Bantuan*
    • BATAL — batalkan laporan dan hapus semua jawaban
    • STATUS — lihat status laporan dengan nomor kasus (WBS-…)
    • ENGLISH / INDONESIA — ganti bahasa
    • BANTUAN — pesan ini
    Isi laporan dan balasan tim hanya dibaca di web dengan kode resi, tidak lewat WhatsApp.
wa-status-ask = Kirim nomor kasus Anda (contoh: WBS-ABCD-EFGH-JKMN). Jangan kirim kode resi di chat ini.
wa-status-unknown = Nomor kasus itu tidak ditemukan. Periksa penulisannya (WBS-XXXX-XXXX-XXXX).
wa-status-foot = Pesan dari tim dibaca di halaman Pantau dengan kode resi.
wa-unsupported = Maaf, pesan jenis ini (stiker, kontak) belum dapat kami terima. Tulis dalam teks, atau kirim foto (JPG/PNG) atau dokumen (PDF/Office).
wa-resumed = Percakapan dilanjutkan. Jawaban yang sudah Anda kirim tetap tersimpan terenkripsi.
wa-late-note = Sebuah pesan Anda tiba terlambat; pesan itu disimpan terenkripsi sebagai catatan tambahan laporan.
wa-notes-full = Keterangan tambahan sudah mencapai batas untuk satu laporan dan pesan ini tidak disimpan. Lanjutkan ke langkah berikutnya; keterangan lain dapat dikirim lewat halaman Pantau setelah laporan tersimpan.
wa-before-consent = Sebuah pesan yang Anda kirim sebelum menyetujui ketentuan baru tiba dan tidak disimpan. Kirim ulang isinya bila masih diperlukan.
wa-busy = Layanan sedang sibuk; file ini belum disimpan. Kirim ulang sebentar lagi.
wa-summary-no-name = (tanpa nama)
wa-summary-files = file
wa-notice = *WhatsApp Center WBS DPMPTSP Kota Tarakan*
    Sebelum melapor, mohon dibaca:
    • Saluran ini *rahasia, tetapi tidak anonim*: Meta (WhatsApp) dapat melihat nomor Anda dan isi pesan. Untuk melapor secara anonim, gunakan formulir web: { $form }
    • Setiap jawaban langsung dienkripsi untuk tim pengelola WBS. Kami tidak menyimpan nomor atau nama profil WhatsApp Anda; nomor Anda masuk ke laporan terenkripsi hanya jika Anda setuju dihubungi lewat WhatsApp.
    • Pelapor beritikad baik dilindungi (UU 13/2006 jo. UU 31/2014, LPSK). Data pribadi diproses menurut UU 27/2022.
    • Perintah kapan saja: BATAL, BANTUAN, STATUS.
    Apakah Anda setuju dan ingin melanjutkan?
wa-consent-yes = Setuju
wa-consent-no = Tidak setuju
wa-other-language = English
wa-declined = Baik. Tidak ada yang disimpan. Anda dapat melapor secara anonim lewat formulir web: { $form }
wa-more-title = Kategori lain…
wa-more-description = Lihat 4 kategori lainnya
wa-back-title = ‹ Kembali
wa-back-description = Kembali ke kategori sebelumnya
wa-chronology-prompt = 3/8 — Ceritakan kronologi kejadian: apa yang terjadi, bagaimana, dan siapa saja yang terlibat (kriteria 2: uraian kejadian). Boleh dalam beberapa pesan; sedikitnya { $min } karakter.
wa-chronology-ack = Kronologi diterima dan dienkripsi ({ $parts } pesan). Tambahkan pesan lagi bila perlu, atau tekan Lanjut.
wa-party-prompt = 4/8 — Siapa yang dilaporkan (terlapor { $n })? Tulis *nama*, *jabatan* dan *unit kerja*, masing-masing di baris sendiri (atau dipisah koma). Contoh:
    Budi Santoso
    Staf Perizinan
    Bidang Pelayanan
    (kriteria 3: pihak yang dilaporkan)
    Tidak tahu jabatan atau unit kerjanya? Tulis *tidak tahu* di barisnya.
wa-party-ack = Terlapor { $n } dicatat dan dienkripsi. Ada orang lain yang terlibat?
wa-party-full = Paling banyak { $max } terlapor. Ceritakan pihak lain dalam kronologi atau keterangan bukti.
wa-evidence-prompt = 8/8 — Bukti: kirim foto (JPG/PNG) atau dokumen (PDF, Word, Excel), paling banyak { $max_files } file dan { $max_mb } MB seluruhnya; tulis juga keterangan bukti bila ada. Tekan Lanjut bila selesai atau tidak ada bukti.
wa-summary-category = Kategori
wa-summary-reporter = Pelapor
wa-summary-chronology = Kronologi
wa-summary-parties = Terlapor
wa-summary-when = Waktu
wa-summary-place = Tempat
wa-summary-name = Nama
wa-summary-evidence = Bukti
wa-summary-contact = Kontak WhatsApp
wa-wait-for-files = { $n } file masih diproses. Tunggu pesan konfirmasinya, lalu tekan Kirim laporan lagi.
wa-stored = ✅ Laporan Anda sudah *tersimpan dan terenkripsi*.
    Nomor kasus: *{ $case_id }*
    Kode resi SEKALI PAKAI: *{ $receipt }*

    Buka { $pantau } dan masukkan kode resi ini. Saat pertama masuk, kode ini diganti dengan *kode resi baru yang hanya ditampilkan di halaman web*: simpan kode baru itu baik-baik. Setelah itu kode di chat ini tidak berlaku lagi — hapus pesan ini.
    Di sana Anda dapat membaca pertanyaan tim dan menjawabnya. Di chat ini, kirim STATUS dan nomor kasus untuk melihat status.
    Laporan diverifikasi tim paling lambat { $days } hari kerja.
wa-status-head = Status kasus { $case_id }:
wa-lost-files = { $n } file yang Anda kirim sebelum gangguan belum sempat tersimpan: kirim ulang bila masih diperlukan.
wa-file-stored = 📎 { $name } diterima, diperiksa, dan dienkripsi ({ $count } file bukti).
wa-file-too-large = 📎 { $name } tidak disimpan: terlalu besar. Sisa batas untuk laporan ini { $max_mb } MB (foto paling besar 5 MB).
wa-file-wrong-type = 📎 { $name } tidak disimpan: jenis file tidak diterima. Kirim foto JPG/PNG atau dokumen PDF/Word/Excel.
wa-file-damaged = 📎 { $name } tidak disimpan: file rusak atau tidak cocok dengan yang dikirim. Kirim ulang.
wa-file-failed = 📎 { $name } belum dapat diambil dari WhatsApp. Kirim ulang sebentar lagi.
wa-too-many-files = Paling banyak { $max } file bukti per laporan; file ini tidak disimpan.
# In the sealed report, both languages: "[Pesan yang tiba tidak berurutan / message that arrived out of order, <day>]".
wa-late-note-marker = Pesan yang tiba tidak berurutan

# Issue 12: edits, voice and video, location pins, command-like answers.
wa-edited = Pesan yang diedit (atau jenis pesan yang tidak diteruskan WhatsApp kepada kami, seperti polling) tidak sampai kepada kami: perubahannya *tidak* tersimpan. Kirim koreksinya sebagai pesan baru.
wa-audio-video = Pesan suara dan video tidak kami terima: suara Anda dapat mengenali Anda, dan data tersembunyi di video tidak dapat kami hapus. Tuliskan isinya dalam teks, atau kirim foto atau tangkapan layar.
wa-place-elsewhere = Lokasi hanya dipakai untuk pertanyaan "di mana kejadiannya". Untuk pertanyaan ini, jawab dengan teks.
wa-place-unnamed = Lokasi ini tidak bernama, dan titik koordinat tidak kami simpan. Tulis nama tempatnya (misalnya: loket 2 Mal Pelayanan Publik).
wa-command-as-answer = Pesan Anda disimpan sebagai jawaban. Jika yang Anda maksud perintah { $command }, kirim hanya kata *{ $command }*.
wa-party-unknown-hint = Tidak tahu jabatan atau unit kerjanya? Tulis *tidak tahu* di barisnya, misalnya: Pak Budi, petugas loket 2, tidak tahu
wa-history-warning = Catatan: riwayat chat ini (dan cadangannya di Google Drive/iCloud) menyimpan seluruh laporan Anda di ponsel ini. Setelah menyimpan nomor kasus dan kode resi di tempat aman, hapus chat ini: buka chat → ⋮ / nama kontak → Hapus chat; periksa juga pengaturan Cadangan chat.
wa-cli-chat-undelivered = Resi chat tidak terkirim
wa-stale-button = Tombol itu dari pertanyaan sebelumnya dan tidak dipakai. Gunakan tombol pada pesan terakhir:
