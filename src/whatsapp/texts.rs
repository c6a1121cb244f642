//! Everything the bot writes, in Bahasa Indonesia first and English second. Interactive bodies stay
//! under 1024 characters, button titles under 20, list row titles under 24 (tested below).

use crate::intake::report::{MAX_PARTIES, MIN_CHRONOLOGY};
use crate::intake::Lang;

/// Where the web pages are, for messages (`public_url` in the configuration), or a description.
pub fn site(public_url: Option<&str>, path: &str, l: Lang) -> String {
    match public_url {
        Some(u) => format!("{u}{path}"),
        None => l
            .pick("situs WBS DPMPTSP Kota Tarakan", "the WBS web site")
            .to_owned(),
    }
}

pub fn notice(l: Lang, form: &str) -> String {
    match l {
        Lang::Id => format!(
            "*WhatsApp Center WBS DPMPTSP Kota Tarakan*\n\
             Sebelum melapor, mohon dibaca:\n\
             • Saluran ini *rahasia, tetapi tidak anonim*: Meta (WhatsApp) dapat melihat nomor Anda dan isi pesan. Untuk melapor secara anonim, gunakan formulir web: {form}\n\
             • Setiap jawaban langsung dienkripsi untuk tim pengelola WBS. Kami tidak menyimpan nomor atau nama profil WhatsApp Anda; nomor Anda masuk ke laporan terenkripsi hanya jika Anda setuju dihubungi lewat WhatsApp.\n\
             • Pelapor beritikad baik dilindungi (UU 13/2006 jo. UU 31/2014, LPSK). Data pribadi diproses menurut UU 27/2022.\n\
             • Perintah kapan saja: BATAL, BANTUAN, STATUS.\n\
             Apakah Anda setuju dan ingin melanjutkan?"
        ),
        Lang::En => format!(
            "*WBS WhatsApp Center, DPMPTSP Tarakan City*\n\
             Before you report, please read:\n\
             • This channel is *confidential, not anonymous*: Meta (WhatsApp) can see your number and the messages. To report anonymously, use the web form: {form}\n\
             • Every answer is encrypted for the WBS team as soon as it arrives. We do not store your WhatsApp number or profile name; your number goes into the encrypted report only if you agree to be contacted on WhatsApp.\n\
             • Reporters acting in good faith are protected (Law 13/2006 as amended by Law 31/2014, LPSK). Personal data is handled under Law 27/2022.\n\
             • Commands at any time: CANCEL, HELP, STATUS.\n\
             Do you agree and want to continue?"
        ),
    }
}

pub fn consent_buttons(l: Lang) -> [(&'static str, &'static str); 3] {
    match l {
        Lang::Id => [
            ("consent-yes", "Setuju"),
            ("consent-no", "Tidak setuju"),
            ("lang-en", "English"),
        ],
        Lang::En => [
            ("consent-yes-en", "I agree"),
            ("consent-no", "I do not agree"),
            ("lang-id", "Bahasa Indonesia"),
        ],
    }
}

pub fn not_stored_yet(l: Lang) -> &'static str {
    l.pick(
        "Pesan Anda belum kami simpan: setujui dulu ketentuan di bawah, lalu kirim lagi.",
        "Your message was not stored: please agree to the terms below first, then send it again.",
    )
}

pub fn no_report_running(l: Lang) -> &'static str {
    l.pick(
        "Tidak ada laporan yang sedang berjalan.",
        "No report is in progress.",
    )
}

pub fn declined(l: Lang, form: &str) -> String {
    match l {
        Lang::Id => format!("Baik. Tidak ada yang disimpan. Anda dapat melapor secara anonim lewat formulir web: {form}"),
        Lang::En => format!("All right. Nothing was stored. You can report anonymously through the web form: {form}"),
    }
}

pub fn consent_thanks(l: Lang) -> &'static str {
    l.pick(
        "Terima kasih. Jawab pertanyaan satu per satu; setiap jawaban langsung dienkripsi.",
        "Thank you. Answer the questions one at a time; each answer is encrypted at once.",
    )
}

pub fn category_prompt(l: Lang) -> &'static str {
    l.pick(
        "1/8 — Pilih kategori pelanggaran yang ingin Anda laporkan.",
        "1/8 — Choose the kind of wrongdoing you want to report.",
    )
}

pub fn category_more_prompt(l: Lang) -> &'static str {
    l.pick("1/8 — Kategori lainnya:", "1/8 — More categories:")
}

pub fn category_button(l: Lang) -> &'static str {
    l.pick("Pilih kategori", "Choose category")
}

pub fn category_section(l: Lang) -> &'static str {
    l.pick("Kategori", "Categories")
}

pub fn more(l: Lang) -> (&'static str, &'static str) {
    l.pick2(
        ("Kategori lain…", "Lihat 4 kategori lainnya"),
        ("More categories…", "Show 4 more categories"),
    )
}

pub fn back(l: Lang) -> (&'static str, &'static str) {
    l.pick2(
        ("‹ Kembali", "Kembali ke kategori sebelumnya"),
        ("‹ Back", "Back to the first categories"),
    )
}

/// Short category titles (≤ 24 characters) for list rows; the full label is the row's description.
pub fn category_title(code: &str, l: Lang) -> &'static str {
    let (id, en) = match code {
        "KORUPSI" => ("Korupsi", "Corruption"),
        "SUAP" => ("Suap", "Bribery"),
        "GRATIFIKASI" => ("Gratifikasi", "Gratuities"),
        "PUNGLI" => ("Pungli / pemerasan", "Illegal levy/extortion"),
        "BENTURAN_KEPENTINGAN" => ("Benturan kepentingan", "Conflict of interest"),
        "PENYALAHGUNAAN_WEWENANG" => ("Penyalahgunaan wewenang", "Abuse of authority"),
        "PENGGELAPAN" => ("Penggelapan", "Embezzlement"),
        "KECURANGAN" => ("Curang / pemalsuan", "Fraud / forgery"),
        "PENGADAAN" => ("Pengadaan barang/jasa", "Procurement"),
        "DISIPLIN_ASN" => ("Disiplin ASN", "Civil-servant discipline"),
        "KODE_ETIK" => ("Kode etik", "Code of conduct"),
        "MALADMINISTRASI" => ("Maladministrasi", "Maladministration"),
        _ => ("Lainnya", "Other"),
    };
    l.pick(id, en)
}

pub fn choose_from_list(l: Lang) -> &'static str {
    l.pick(
        "Pilih salah satu dari daftar (tekan tombol di bawah), atau tulis nomornya (1–13).",
        "Choose one from the list (tap the button below), or type its number (1–13).",
    )
}

pub fn kind_prompt(l: Lang) -> &'static str {
    l.pick(
        "2/8 — Anda melapor sebagai apa?",
        "2/8 — Are you reporting as a member of the public or as staff?",
    )
}

pub fn kind_buttons(l: Lang) -> [(&'static str, &'static str); 2] {
    [
        ("kind-public", l.pick("Masyarakat", "Member of public")),
        ("kind-staff", l.pick("Pegawai DPMPTSP", "DPMPTSP staff")),
    ]
}

pub fn chronology_prompt(l: Lang) -> String {
    match l {
        Lang::Id => format!("3/8 — Ceritakan kronologi kejadian: apa yang terjadi, bagaimana, dan siapa saja yang terlibat (kriteria 2: uraian kejadian). Boleh dalam beberapa pesan; sedikitnya {MIN_CHRONOLOGY} karakter."),
        Lang::En => format!("3/8 — Describe what happened: what, how, and who was involved (criterion 2: a description of events). You may use several messages; at least {MIN_CHRONOLOGY} characters."),
    }
}

pub fn chronology_ack(l: Lang, parts: usize) -> String {
    match l {
        Lang::Id => format!("Kronologi diterima dan dienkripsi ({parts} pesan). Tambahkan pesan lagi bila perlu, atau tekan Lanjut."),
        Lang::En => format!("Description received and encrypted ({parts} message(s)). Add more if needed, or tap Next."),
    }
}

pub fn next_button(l: Lang) -> (&'static str, &'static str) {
    ("next", l.pick("Lanjut", "Next"))
}

pub fn party_prompt(l: Lang, n: usize) -> String {
    match l {
        Lang::Id => format!("4/8 — Siapa yang dilaporkan (terlapor {n})? Tulis *nama*, *jabatan* dan *unit kerja*, masing-masing di baris sendiri (atau dipisah koma). Contoh:\nBudi Santoso\nStaf Perizinan\nBidang Pelayanan\n(kriteria 3: pihak yang dilaporkan)"),
        Lang::En => format!("4/8 — Who is being reported (person {n})? Write their *name*, *position* and *unit*, each on its own line (or separated by commas). Example:\nBudi Santoso\nLicensing officer\nServices division\n(criterion 3: the persons reported)"),
    }
}

pub fn party_ack(l: Lang, n: usize) -> String {
    match l {
        Lang::Id => format!("Terlapor {n} dicatat dan dienkripsi. Ada orang lain yang terlibat?"),
        Lang::En => format!("Person {n} recorded and encrypted. Was anyone else involved?"),
    }
}

pub fn party_buttons(l: Lang) -> [(&'static str, &'static str); 2] {
    [
        ("party-add", l.pick("Tambah terlapor", "Add a person")),
        ("next", l.pick("Lanjut", "Next")),
    ]
}

pub fn party_full(l: Lang) -> String {
    match l {
        Lang::Id => format!("Paling banyak {MAX_PARTIES} terlapor. Ceritakan pihak lain dalam kronologi atau keterangan bukti."),
        Lang::En => format!("At most {MAX_PARTIES} persons. Mention others in the description or the evidence notes."),
    }
}

pub fn part_label(path: &str, l: Lang) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "name" => l.pick("Nama", "Name"),
        "position" => l.pick("Jabatan", "Position"),
        "unit" => l.pick("Unit kerja", "Unit"),
        _ => l.pick("Isian", "Entry"),
    }
}

pub fn when_prompt(l: Lang) -> &'static str {
    l.pick(
        "5/8 — Kapan kejadiannya? Tulis tanggal atau perkiraan waktunya (kriteria 4: waktu dan tempat).",
        "5/8 — When did it happen? Give the date or an estimate (criterion 4: time and place).",
    )
}

pub fn place_prompt(l: Lang) -> &'static str {
    l.pick(
        "6/8 — Di mana kejadiannya? (misalnya: loket 2 Mal Pelayanan Publik)",
        "6/8 — Where did it happen? (for example: counter 2 of the public service hall)",
    )
}

pub fn name_prompt(l: Lang) -> &'static str {
    l.pick(
        "7/8 — Siapa nama Anda? Nama samaran boleh. Nama hanya dapat dibaca tim pengelola WBS (kriteria 1: identitas pelapor). Tanpa nama, laporan tetap diterima tetapi mungkin tidak dapat ditindaklanjuti.",
        "7/8 — What is your name? A pseudonym is allowed. Only the WBS team can read it (criterion 1: reporter identity). Without a name the report is still accepted but may not be followed up.",
    )
}

pub fn anon_button(l: Lang) -> (&'static str, &'static str) {
    ("anon", l.pick("Tanpa nama", "No name"))
}

pub fn anonymous_note(l: Lang) -> &'static str {
    l.pick(
        "Anda memilih tanpa nama: laporan belum memenuhi kriteria 1 dan mungkin tidak dapat ditindaklanjuti. (Meta tetap melihat nomor Anda.)",
        "You chose to give no name: the report misses criterion 1 and may not be followed up. (Meta still sees your number.)",
    )
}

pub fn evidence_prompt(l: Lang, max_files: usize, max_mb: u64) -> String {
    match l {
        Lang::Id => format!("8/8 — Bukti: kirim foto (JPG/PNG) atau dokumen (PDF, Word, Excel), paling banyak {max_files} file dan {max_mb} MB seluruhnya; tulis juga keterangan bukti bila ada. Tekan Lanjut bila selesai atau tidak ada bukti."),
        Lang::En => format!("8/8 — Evidence: send photos (JPG/PNG) or documents (PDF, Word, Excel), at most {max_files} files and {max_mb} MB in all; describe the evidence in text if you like. Tap Next when done or if there is none."),
    }
}

pub fn evidence_ack(l: Lang) -> &'static str {
    l.pick(
        "Keterangan bukti diterima dan dienkripsi. Kirim lagi atau tekan Lanjut.",
        "Evidence note received and encrypted. Send more or tap Next.",
    )
}

pub fn contact_prompt(l: Lang) -> &'static str {
    l.pick(
        "Bolehkah tim pengelola WBS menghubungi Anda lewat nomor WhatsApp ini? Jika ya, nomor Anda dimasukkan ke laporan terenkripsi (hanya tim yang dapat membacanya). Jika tidak, pantau laporan di web dengan kode resi.",
        "May the WBS team contact you on this WhatsApp number? If yes, your number goes into the encrypted report (only the team can read it). If not, follow the report on the web with the receipt code.",
    )
}

pub fn contact_buttons(l: Lang) -> [(&'static str, &'static str); 2] {
    [
        ("contact-yes", l.pick("Ya, boleh", "Yes")),
        ("contact-no", l.pick("Tidak", "No")),
    ]
}

pub fn use_buttons(l: Lang) -> &'static str {
    l.pick(
        "Silakan pilih dengan tombol di bawah.",
        "Please choose with the buttons below.",
    )
}

pub fn not_repeated(l: Lang) -> &'static str {
    l.pick(
        "(diterima; tidak ditampilkan ulang)",
        "(received; not shown again)",
    )
}

pub fn summary_labels(l: Lang) -> [&'static str; 9] {
    match l {
        Lang::Id => [
            "Kategori",
            "Pelapor",
            "Kronologi",
            "Terlapor",
            "Waktu",
            "Tempat",
            "Nama",
            "Bukti",
            "Boleh dihubungi lewat WhatsApp",
        ],
        Lang::En => [
            "Category",
            "Reporter",
            "Description",
            "Persons reported",
            "When",
            "Where",
            "Name",
            "Evidence",
            "May be contacted on WhatsApp",
        ],
    }
}

pub fn summary_head(l: Lang) -> &'static str {
    l.pick("*Ringkasan laporan Anda*", "*Summary of your report*")
}

pub fn summary_foot(l: Lang) -> &'static str {
    l.pick(
        "Dengan menekan *Kirim laporan*, Anda menyatakan laporan ini dibuat dengan itikad baik dan sesuai yang Anda ketahui.",
        "By tapping *Send report* you declare that you report in good faith and to the best of your knowledge.",
    )
}

pub fn summary_restarted(l: Lang) -> &'static str {
    l.pick(
        "Sebagian jawaban tidak ditampilkan ulang karena layanan sempat dimulai ulang; jawaban itu tetap tersimpan terenkripsi dan ikut terkirim.",
        "Some answers are not shown again because the service restarted; they remain stored, encrypted, and will be sent.",
    )
}

pub fn summary_buttons(l: Lang) -> [(&'static str, &'static str); 3] {
    [
        ("confirm", l.pick("Kirim laporan", "Send report")),
        ("change", l.pick("Ubah", "Change")),
        ("cancel", l.pick("Batal", "Cancel")),
    ]
}

pub fn yes_no(l: Lang, v: bool) -> &'static str {
    match v {
        true => l.pick("Ya", "Yes"),
        false => l.pick("Tidak", "No"),
    }
}

pub fn change_prompt(l: Lang) -> &'static str {
    l.pick(
        "Bagian mana yang ingin diubah? Jawaban lama bagian itu dihapus dan Anda menjawab ulang.",
        "Which part do you want to change? Its earlier answer is deleted and you answer again.",
    )
}

pub fn change_button(l: Lang) -> &'static str {
    l.pick("Pilih bagian", "Choose part")
}

pub fn files_label(l: Lang) -> &'static str {
    l.pick("File bukti (hapus semua)", "Delete evidence files")
}

pub fn wait_for_files(l: Lang, n: u32) -> String {
    match l {
        Lang::Id => format!("{n} file masih diproses. Tunggu pesan konfirmasinya, lalu tekan Kirim laporan lagi."),
        Lang::En => format!("{n} file(s) are still being processed. Wait for the confirmation, then tap Send report again."),
    }
}

pub fn stored(l: Lang, case_id: &str, receipt: &str, pantau: &str) -> String {
    match l {
        Lang::Id => format!(
            "✅ Laporan Anda sudah *tersimpan dan terenkripsi*.\n\
             Nomor kasus: *{case_id}*\n\
             Kode resi SEKALI PAKAI: *{receipt}*\n\n\
             Buka {pantau} dan masukkan kode resi ini. Saat pertama masuk, kode ini diganti dengan *kode resi baru yang hanya ditampilkan di halaman web*: simpan kode baru itu baik-baik. Setelah itu kode di chat ini tidak berlaku lagi — hapus pesan ini.\n\
             Di sana Anda dapat membaca pertanyaan tim dan menjawabnya. Di chat ini, kirim STATUS dan nomor kasus untuk melihat status.\n\
             Tim memeriksa laporan paling lambat 3 hari kerja."
        ),
        Lang::En => format!(
            "✅ Your report is *stored and encrypted*.\n\
             Case number: *{case_id}*\n\
             ONE-TIME receipt code: *{receipt}*\n\n\
             Open {pantau} and enter this receipt code. At your first login it is replaced by a *new receipt code shown only on the web page*: keep that new code safe. After that the code in this chat no longer works — delete this message.\n\
             There you can read the team's questions and answer them. In this chat, send STATUS and the case number to see the status.\n\
             The team checks reports within 3 working days."
        ),
    }
}

pub fn store_failed(l: Lang) -> &'static str {
    l.pick(
        "Maaf, terjadi gangguan dan laporan BELUM tersimpan. Jawaban Anda masih ada: tekan Kirim laporan lagi sebentar lagi.",
        "Sorry, a fault occurred and the report was NOT stored yet. Your answers are still here: tap Send report again shortly.",
    )
}

pub fn cancelled(l: Lang) -> &'static str {
    l.pick(
        "Laporan dibatalkan. Semua yang sudah Anda kirim dalam percakapan ini telah dihapus dari server kami. Kirim pesan apa saja untuk mulai lagi.",
        "The report was cancelled. Everything you sent in this conversation was deleted from our server. Send any message to start again.",
    )
}

pub fn help(l: Lang) -> &'static str {
    l.pick(
        "*Bantuan*\n• BATAL — batalkan laporan dan hapus semua jawaban\n• STATUS — lihat status laporan dengan nomor kasus (WBS-…)\n• ENGLISH / INDONESIA — ganti bahasa\n• BANTUAN — pesan ini\nIsi laporan dan balasan tim hanya dibaca di web dengan kode resi, tidak lewat WhatsApp.",
        "*Help*\n• CANCEL — cancel the report and delete every answer\n• STATUS — see a report's status by its case number (WBS-…)\n• ENGLISH / INDONESIA — change language\n• HELP — this message\nReports and the team's replies are read on the web with the receipt code, never over WhatsApp.",
    )
}

pub fn status_ask(l: Lang) -> &'static str {
    l.pick(
        "Kirim nomor kasus Anda (contoh: WBS-ABCD-EFGH-JKMN). Jangan kirim kode resi di chat ini.",
        "Send your case number (for example WBS-ABCD-EFGH-JKMN). Never send your receipt code in this chat.",
    )
}

pub fn status_unknown(l: Lang) -> &'static str {
    l.pick(
        "Nomor kasus itu tidak ditemukan. Periksa penulisannya (WBS-XXXX-XXXX-XXXX).",
        "That case number was not found. Check it (WBS-XXXX-XXXX-XXXX).",
    )
}

pub fn status_head(l: Lang, case_id: &str) -> String {
    match l {
        Lang::Id => format!("Status kasus {case_id}:"),
        Lang::En => format!("Status of case {case_id}:"),
    }
}

pub fn status_foot(l: Lang) -> &'static str {
    l.pick(
        "Pesan dari tim dibaca di halaman Pantau dengan kode resi.",
        "Messages from the team are read on the Follow-up page with the receipt code.",
    )
}

pub fn unsupported(l: Lang) -> &'static str {
    l.pick(
        "Maaf, pesan jenis ini (stiker, lokasi, pesan suara, video, kontak) belum dapat kami terima. Tulis dalam teks, atau kirim foto (JPG/PNG) atau dokumen (PDF/Office).",
        "Sorry, we cannot accept this kind of message (stickers, locations, voice notes, videos, contacts). Please write text, or send a photo (JPG/PNG) or a document (PDF/Office).",
    )
}

pub fn resumed(l: Lang) -> &'static str {
    l.pick(
        "Percakapan dilanjutkan. Jawaban yang sudah Anda kirim tetap tersimpan terenkripsi.",
        "Your conversation continues. The answers you already sent remain stored, encrypted.",
    )
}

pub fn lost_files(l: Lang, n: u32) -> String {
    match l {
        Lang::Id => format!("{n} file yang Anda kirim sebelum gangguan belum sempat tersimpan: kirim ulang bila masih diperlukan."),
        Lang::En => format!("{n} file(s) you sent before the interruption were not stored: send them again if needed."),
    }
}

pub fn late_note(l: Lang) -> &'static str {
    l.pick(
        "Sebuah pesan Anda tiba terlambat; pesan itu disimpan terenkripsi sebagai catatan tambahan laporan.",
        "One of your messages arrived late; it was stored, encrypted, as an additional note to the report.",
    )
}

pub fn notes_full(l: Lang) -> &'static str {
    l.pick(
        "Keterangan tambahan sudah mencapai batas untuk satu laporan dan pesan ini tidak disimpan. Lanjutkan ke langkah berikutnya; keterangan lain dapat dikirim lewat halaman Pantau setelah laporan tersimpan.",
        "This report already has the most notes it can hold, so this message was not stored. Go on to the next step; more can be sent on the Follow-up page once the report is stored.",
    )
}

pub fn before_consent(l: Lang) -> &'static str {
    l.pick(
        "Sebuah pesan yang Anda kirim sebelum menyetujui ketentuan baru tiba dan tidak disimpan. Kirim ulang isinya bila masih diperlukan.",
        "A message you sent before agreeing to the terms arrived late and was not stored. Send it again if needed.",
    )
}

pub fn file_stored(l: Lang, name: &str, count: usize) -> String {
    match l {
        Lang::Id => format!("📎 {name} diterima, diperiksa, dan dienkripsi ({count} file bukti)."),
        Lang::En => {
            format!("📎 {name} received, checked and encrypted ({count} evidence file(s)).")
        }
    }
}

pub fn file_too_large(l: Lang, name: &str, max_mb: u64) -> String {
    match l {
        Lang::Id => format!("📎 {name} tidak disimpan: terlalu besar. Sisa batas untuk laporan ini {max_mb} MB (foto paling besar 5 MB)."),
        Lang::En => format!("📎 {name} was not stored: too large. This report has {max_mb} MB left (photos at most 5 MB)."),
    }
}

pub fn file_wrong_type(l: Lang, name: &str) -> String {
    match l {
        Lang::Id => format!("📎 {name} tidak disimpan: jenis file tidak diterima. Kirim foto JPG/PNG atau dokumen PDF/Word/Excel."),
        Lang::En => format!("📎 {name} was not stored: this file type is not accepted. Send JPG/PNG photos or PDF/Word/Excel documents."),
    }
}

pub fn file_damaged(l: Lang, name: &str) -> String {
    match l {
        Lang::Id => format!("📎 {name} tidak disimpan: file rusak atau tidak cocok dengan yang dikirim. Kirim ulang."),
        Lang::En => format!("📎 {name} was not stored: it was damaged in transfer. Please send it again."),
    }
}

pub fn file_failed(l: Lang, name: &str) -> String {
    match l {
        Lang::Id => {
            format!("📎 {name} belum dapat diambil dari WhatsApp. Kirim ulang sebentar lagi.")
        }
        Lang::En => {
            format!("📎 {name} could not be fetched from WhatsApp. Please send it again shortly.")
        }
    }
}

pub fn too_many_files(l: Lang, max: usize) -> String {
    match l {
        Lang::Id => format!("Paling banyak {max} file bukti per laporan; file ini tidak disimpan."),
        Lang::En => format!("At most {max} evidence files per report; this file was not stored."),
    }
}

pub fn busy(l: Lang) -> &'static str {
    l.pick(
        "Layanan sedang sibuk; file ini belum disimpan. Kirim ulang sebentar lagi.",
        "The service is busy; this file was not stored. Please send it again shortly.",
    )
}

/// A two-way `pick` for pairs.
trait Pick2 {
    fn pick2<T>(self, id: T, en: T) -> T;
}

impl Pick2 for Lang {
    fn pick2<T>(self, id: T, en: T) -> T {
        match self {
            Lang::Id => id,
            Lang::En => en,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intake::report::CATEGORIES;
    use crate::whatsapp::reply::*;

    #[test]
    fn texts_fit_the_cloud_api_limits() {
        for l in [Lang::Id, Lang::En] {
            let url = "https://wbs.dpmptsp.tarakankota.go.id/lapor";
            for body in [
                notice(l, url),
                chronology_prompt(l),
                party_prompt(l, 10),
                evidence_prompt(l, 10, 20),
                contact_prompt(l).to_owned(),
                change_prompt(l).to_owned(),
            ] {
                assert!(body.chars().count() <= MAX_INTERACTIVE_BODY, "{body}");
            }
            let buttons = consent_buttons(l)
                .into_iter()
                .chain(kind_buttons(l))
                .chain(party_buttons(l))
                .chain(contact_buttons(l))
                .chain(summary_buttons(l))
                .chain([next_button(l), anon_button(l)]);
            for (_, title) in buttons {
                assert!(title.chars().count() <= MAX_BUTTON_TITLE, "{title}");
            }
            for c in CATEGORIES {
                assert!(category_title(c.code, l).chars().count() <= MAX_ROW_TITLE);
                assert!(c.label(l).chars().count() <= MAX_ROW_DESCRIPTION);
            }
            for t in [category_button(l), change_button(l)] {
                assert!(t.chars().count() <= MAX_LIST_BUTTON);
            }
            assert!(files_label(l).chars().count() <= MAX_ROW_TITLE);
            assert!(more(l).0.chars().count() <= MAX_ROW_TITLE);
            let stored = stored(l, "WBS-AAAA-BBBB-CCCC", "1AAA-BBBB-CCCC-DDDD-EEEE", url);
            assert!(stored.chars().count() <= MAX_TEXT);
        }
    }
}
