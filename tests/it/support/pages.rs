//! Reading the pages the server serves: form tokens, field values and errors, receipts and case ids,
//! the reporter's session cookie and the JSON follow-up.

use super::internal;
use super::server::Server;

/// A fresh form token from `GET /lapor`.
pub async fn form_token(client: &reqwest::Client, server: &Server) -> String {
    let r = client
        .get(server.url("/lapor"))
        .send()
        .await
        .expect("GET /lapor");
    assert_eq!(r.status(), 200);
    let html = r.text().await.expect("body");
    token_in(&html).expect("form_token in /lapor")
}

/// The form token in a rendered form.
pub fn token_in(html: &str) -> Option<String> {
    input_value(html, "form_token")
}

/// The (unescaped) `value` of the `<input name="NAME" …>` in `html`.
pub fn input_value(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\""))?;
    let start = html[..at].rfind('<')?;
    let end = at + html[at..].find('>')?;
    let tag = &html[start..end];
    let v = tag.find(" value=\"")? + " value=\"".len();
    let len = tag[v..].find('"')?;
    Some(unescape(&tag[v..v + len]))
}

/// The (unescaped) text of the `<textarea name="NAME">` in `html`.
pub fn textarea_value(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\""))?;
    let open_end = at + html[at..].find('>')? + 1;
    let close = open_end + html[open_end..].find("</textarea>")?;
    Some(unescape(&html[open_end..close]))
}

/// The error shown beside the field named `name` (the `<p class="error" …>` in its field block).
pub fn field_error(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\""))?;
    let rest = &html[at..];
    let end = [rest.find("</div>"), rest.find("</fieldset>")]
        .into_iter()
        .flatten()
        .min()?;
    let block = &rest[..end];
    // `<p class="error" id="…-error">`: the error is tied to its field by id.
    let open = block.find("<p class=\"error\"")?;
    let e = open + block[open..].find('>')? + 1;
    let len = block[e..].find("</p>")?;
    Some(unescape(&block[e..e + len]))
}

/// Whether the checkbox/radio `name` with `value` is rendered checked.
pub fn is_checked(html: &str, name: &str, value: &str) -> bool {
    let needle = format!("name=\"{name}\" value=\"{value}\"");
    html.find(&needle).is_some_and(|at| {
        let end = at + html[at..].find('>').unwrap_or(0);
        html[at..end].contains(" checked")
    })
}

/// Whether `<option value="VALUE" selected>` is in `html`.
pub fn is_selected(html: &str, value: &str) -> bool {
    html.contains(&format!("<option value=\"{value}\" selected>"))
}

/// Decodes the entities an HTML escaper produces.
pub fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(semi) = rest.find(';').filter(|&j| j <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..semi];
        let decoded = match entity {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The receipt code shown on a receipt page.
pub fn receipt_in(html: &str) -> Option<String> {
    let start = html.find("<p class=\"code\" id=\"resi\"><strong>")?
        + "<p class=\"code\" id=\"resi\"><strong>".len();
    let len = html[start..].find("</strong>")?;
    // The groups are wrapped so the code breaks only between them: read the text without tags.
    let mut text = String::new();
    let mut in_tag = false;
    for c in html[start..start + len].chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    Some(text)
}

/// The case id shown on a receipt page.
pub fn case_id_in(html: &str) -> Option<String> {
    let start = html.find("Nomor kasus: <strong>")? + "Nomor kasus: <strong>".len();
    let len = html[start..].find("</strong>")?;
    Some(html[start..start + len].to_owned())
}

/// `1ABC-DEFG-HJKM-NPQR-STVW`: five groups of four Crockford symbols, epoch 1 first.
pub fn looks_like_receipt(r: &str) -> bool {
    const CROCKFORD: &str = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let groups: Vec<&str> = r.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .all(|g| g.len() == 4 && g.chars().all(|c| CROCKFORD.contains(c)))
        && r.starts_with('1')
        // and its check symbol is right
        && internal::receipt_parses(r)
}

/// `WBS-XXXX-XXXX-XXXX`.
pub fn looks_like_case_id(id: &str) -> bool {
    const CROCKFORD: &str = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut parts = id.split('-');
    parts.next() == Some("WBS")
        && parts.clone().count() == 3
        && parts.all(|g| g.len() == 4 && g.chars().all(|c| CROCKFORD.contains(c)))
}

/// The reporter's session cookie (`wbs_sesi=…`) a response sets, if any (a clearing one is not).
pub fn session_cookie(r: &reqwest::Response) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("wbs_sesi=") && !v.starts_with("wbs_sesi=;"))
        .map(|v| v.split(';').next().unwrap_or_default().to_owned())
}

/// The page at `path`, fetched with the reporter's session cookie.
pub async fn page_with_cookie(c: &reqwest::Client, s: &Server, path: &str, cookie: &str) -> String {
    c.get(s.url(path))
        .header("cookie", cookie)
        .send()
        .await
        .expect("GET with the session cookie")
        .text()
        .await
        .expect("page")
}

/// `POST /api/v1/followup {"receipt"}`, answered as JSON.
pub async fn followup_json(c: &reqwest::Client, s: &Server, receipt: &str) -> serde_json::Value {
    c.post(s.url("/api/v1/followup"))
        .json(&serde_json::json!({ "receipt": receipt }))
        .send()
        .await
        .expect("POST /api/v1/followup")
        .json()
        .await
        .expect("a JSON answer")
}

/// `2026-12-01` as a reporter's page writes it: `1 Desember 2026`, with no-break spaces.
pub fn indonesian_date(iso: &str) -> String {
    const BULAN: [&str; 12] = [
        "Januari",
        "Februari",
        "Maret",
        "April",
        "Mei",
        "Juni",
        "Juli",
        "Agustus",
        "September",
        "Oktober",
        "November",
        "Desember",
    ];
    let parts: Vec<&str> = iso.split('-').collect();
    let month: usize = parts[1].parse().unwrap();
    let day: u32 = parts[2].parse().unwrap();
    format!("{day}\u{a0}{}\u{a0}{}", BULAN[month - 1], parts[0])
}
