//! `/case/{id}`: one case — the verified report and thread in order, the identity hidden until a
//! reveal (which first stores a signed `reveal-record`), and the forms: reply, internal note, status
//! change, category correction. `/case/{id}/print` is the same case for forwarding (no internal items),
//! `/case/{id}/attachment/{n}` a file of the case decrypted in memory and sent as a download.
//!
//! Writing goes through `desk::mailbox`, as `wbs reply`, `wbs note` and `wbs status` do: replies and
//! status notes are sealed to the reporter key of the verified report and to every investigator;
//! internal items (notes, reveal records, category corrections) to the investigators and one throwaway
//! key, so they look like replies.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State as AxState};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

use super::inbox::Choice;
use super::model::{self, category_label, criteria_words, deadline_words, ItemView};
use super::page::{link, problem, render, DeskLang, Page};
use super::State;
use crate::desk::attachments::{self, safe_file_name, Unopened};
use crate::desk::client::Desk;
use crate::desk::image;
use crate::desk::mailbox::{
    investigator_recipients, investigators_only, reporter_recipient, sealer, upload, verified_case,
};
use crate::desk::render::clean;
use crate::desk::{news, reshare};
use crate::intake::mailbox::MAX_MESSAGE_CHARS;
use crate::intake::report::{category, CATEGORIES};
use crate::intake::Lang;
use crate::protocol::item::ResealedBlob;
use crate::protocol::item::{ItemBody, MessageBody, RecategoriseBody, RevealBody, StatusNoteBody};
use crate::protocol::report::ManifestEntry;
use crate::protocol::{CaseId, Status};

/// What the case page and the print view show.
pub(super) struct CaseData {
    pub id: String,
    pub status: &'static str,
    pub channel: &'static str,
    pub received: String,
    pub history: Vec<(String, &'static str)>,
    pub deadline: String,
    pub overdue: bool,
    pub category: String,
    pub corrected: bool,
    pub met: String,
    pub missing: String,
    pub items: Vec<ItemView>,
    pub rejected: usize,
    pub mismatched: usize,
    /// `(verified before, listed now)` when the server lists fewer items than the desk saw.
    pub rollback: Option<(usize, usize)>,
    pub statuses: Vec<Choice>,
    pub categories: Vec<Choice>,
    /// The case is sealed to another team than the keys copy's: offer to re-seal it (`desk::reshare`).
    pub reseal: bool,
    /// A WhatsApp case whose reporter agreed to be contacted: offer the "news on your report" notice
    /// (`desk::news`).
    pub news: bool,
    /// What each retired investigator in the keys copy could already read of this case, in words.
    pub exposure: Vec<String>,
    /// The newest signed status change, when the server's plaintext status says otherwise.
    pub signed_status: Option<&'static str>,
    /// What was just done: its code (a class of the page, so a browser test can tell one confirmation
    /// from the previous one) and its sentence.
    pub done: Option<(&'static str, &'static str)>,
}

impl CaseData {
    /// The path of an action of this case, in the page's language.
    pub(super) fn action(&self, l: &Lang, what: &str) -> String {
        link(*l, &format!("/case/{}/{what}", self.id))
    }

    /// The case page, in the page's language.
    pub(super) fn case_link(&self, l: &Lang) -> String {
        link(*l, &format!("/case/{}", self.id))
    }

    /// The inline link of the case's `n`-th file, when it is an image.
    pub(super) fn image_link(&self, l: &Lang, n: &usize) -> String {
        link(*l, &format!("/case/{}/image/{n}", self.id))
    }

    /// The download link of the case's `n`-th file.
    pub(super) fn attachment_link(&self, l: &Lang, n: &usize) -> String {
        link(*l, &format!("/case/{}/attachment/{n}", self.id))
    }
}

#[derive(Template)]
#[template(path = "desk/case.html")]
struct CaseTemplate {
    page: Page,
    c: CaseData,
    print: bool,
}

#[derive(Template)]
#[template(path = "desk/print.html")]
struct PrintTemplate {
    page: Page,
    c: CaseData,
    print: bool,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct ViewQuery {
    #[serde(default)]
    done: String,
}

fn parse_id(raw: &str) -> Option<CaseId> {
    CaseId::parse(raw).ok()
}

/// The action just done (its stable code, for the page's class) and its sentence.
fn done_text(l: Lang, done: &str) -> Option<(&'static str, &'static str)> {
    let (code, id) = match done {
        "reply" => ("reply", "desk-done-reply"),
        "note" => ("note", "desk-done-note"),
        "status" => ("status", "desk-done-status"),
        "reveal" => ("reveal", "desk-done-reveal"),
        "category" => ("category", "desk-done-category"),
        "reshare" => ("reshare", "desk-done-reshare"),
        "news" => ("news", "desk-done-news"),
        _ => return None,
    };
    Some((code, l.text(id)))
}

fn case_data(state: &State, l: Lang, case_id: &CaseId, print: bool) -> Result<CaseData, String> {
    let desk = model::connect(state)?;
    let loaded = model::load(state, &desk, case_id)?;
    let revealed = {
        let mut memory = state.memory();
        if !print {
            memory
                .read
                .insert(case_id.clone(), loaded.detail.items.len());
            // Also in the `seen` file the CLI keeps (server origin, case id, count: no case content),
            // so the marks outlast this run and agree with `wbs cases`.
            crate::desk::config::mark_seen(
                &state.opts.state_dir,
                desk.origin(),
                case_id,
                loaded.detail.items.len() as u32,
            );
        }
        memory.revealed.contains(case_id)
    };
    let g = model::gist(&loaded.checked);
    let (mut items, files) = model::thread(l, &loaded.checked, revealed);
    let resealed = attachments::resealed_blobs(&loaded.checked);
    mark_images(state, &desk, l, case_id, (&files, &resealed), &mut items);
    if print {
        items.retain(|i| i.class != "internal");
    }
    let (met, missing) = criteria_words(l, g.criteria.as_ref());
    let d = &loaded.detail;
    let (deadline, overdue) = deadline_words(l, d.deadline.as_ref());
    let reseal = !state.solo
        && state.ctx.known_set.is_some()
        && loaded.checked.first().is_some_and(|c| c.outcome.is_ok())
        && reshare::sealed_set(&loaded.checked) != state.ctx.known_set;
    let news = !print && news::whatsapp_contact(&loaded.checked).is_some();
    let exposure = reshare::exposure(&state.ctx, &loaded.checked)
        .into_iter()
        .map(|(name, day, n)| {
            l.text_with(
                "desk-exposure",
                &[("name", &clean(&name)), ("day", &day), ("items", &n)],
            )
        })
        .collect();
    Ok(CaseData {
        id: case_id.to_string(),
        status: d.status.label(l),
        channel: d.channel.code(),
        received: d.created.to_string(),
        history: d
            .status_history
            .iter()
            .map(|s| (s.day.to_string(), s.status.label(l)))
            .collect(),
        deadline,
        overdue,
        category: category_label(l, g.category.as_deref()),
        corrected: g.corrected,
        met,
        missing,
        items,
        rejected: g.rejected,
        mismatched: loaded.mismatched,
        rollback: loaded.rollback,
        statuses: Status::ALL
            .iter()
            .map(|s| Choice {
                code: s.code(),
                label: s.label(l),
                selected: *s == d.status,
            })
            .collect(),
        categories: CATEGORIES
            .iter()
            .map(|c| Choice {
                code: c.code,
                label: c.label(l),
                selected: g.category.as_deref() == Some(c.code),
            })
            .collect(),
        reseal,
        news,
        exposure,
        signed_status: crate::desk::decrypt::signed_status(&loaded.checked)
            .filter(|s| *s != d.status)
            .map(|s| s.label(l)),
        done: None,
    })
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, String> + Send + 'static,
) -> Result<T, String> {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|_| Err("WBS-DESK".to_owned()))
}

pub(super) async fn view(
    AxState(state): AxState<Arc<State>>,
    DeskLang(l): DeskLang,
    Path(id): Path<String>,
    Query(q): Query<ViewQuery>,
) -> Response {
    let Some(case_id) = parse_id(&id) else {
        return problem(
            l,
            StatusCode::NOT_FOUND,
            l.text("desk-not-found").to_owned(),
        );
    };
    let st = state.clone();
    let path = format!("/case/{case_id}");
    match blocking(move || case_data(&st, l, &case_id, false)).await {
        Ok(mut c) => {
            c.done = done_text(l, &q.done);
            render(&CaseTemplate {
                page: Page::new(l, path),
                c,
                print: false,
            })
        }
        Err(e) => problem(l, StatusCode::BAD_GATEWAY, e),
    }
}

pub(super) async fn print(
    AxState(state): AxState<Arc<State>>,
    DeskLang(l): DeskLang,
    Path(id): Path<String>,
) -> Response {
    let Some(case_id) = parse_id(&id) else {
        return problem(
            l,
            StatusCode::NOT_FOUND,
            l.text("desk-not-found").to_owned(),
        );
    };
    let st = state.clone();
    let path = format!("/case/{case_id}/print");
    match blocking(move || case_data(&st, l, &case_id, true)).await {
        Ok(c) => render(&PrintTemplate {
            page: Page::new(l, path),
            c,
            print: true,
        }),
        Err(e) => problem(l, StatusCode::BAD_GATEWAY, e),
    }
}

/// A file named by a verified manifest or follow-up, decrypted in memory and checked against it; always
/// a download (`application/octet-stream`, `attachment`), never shown inline.
/// Fetches one attachment of the case and decrypts it in memory, checking the ciphertext and the
/// plaintext against the signed manifest entry.
fn open_file(
    st: &State,
    desk: &Desk,
    l: Lang,
    case_id: &CaseId,
    entry: &ManifestEntry,
    resealed: &[ResealedBlob],
) -> Result<zeroize::Zeroizing<Vec<u8>>, String> {
    let fetch = |blob: &str| desk.attachment(case_id, blob);
    match attachments::open_entry(&fetch, &st.ctx.identities(), entry, resealed)? {
        Ok(opened) => Ok(opened.plain),
        Err(Unopened::Missing) => Err(l.text("desk-attachment-missing").to_owned()),
        Err(_) => Err(l.text("desk-attachment-altered").to_owned()),
    }
}

/// Marks the case's image files for inline display and names the metadata each still carries.
/// A file that does not open stays a download (its link then says why).
fn mark_images(
    st: &State,
    desk: &Desk,
    l: Lang,
    case_id: &CaseId,
    (files, resealed): (&[ManifestEntry], &[ResealedBlob]),
    items: &mut [ItemView],
) {
    for f in items.iter_mut().flat_map(|i| i.files.iter_mut()) {
        let Some(entry) = files.get(f.n) else {
            continue;
        };
        if !entry.media_type.starts_with("image/") {
            continue;
        }
        let Ok(plain) = open_file(st, desk, l, case_id, entry, resealed) else {
            continue;
        };
        if let Some(ty) = image::sniff(&plain) {
            f.inline = true;
            let found: Vec<&str> = image::metadata(&plain, ty)
                .into_iter()
                .map(|m| m.name())
                .collect();
            f.metadata = found.join(", ");
        }
    }
}

/// The `n`th file of the case, decrypted in memory on the blocking pool, with its manifest entry.
/// `Err(None)`: no such case or file (not found); `Err(Some(e))`: it could not be fetched or opened.
async fn decrypted_file(
    state: &Arc<State>,
    l: Lang,
    id: &str,
    n: usize,
) -> Result<(ManifestEntry, zeroize::Zeroizing<Vec<u8>>), Option<String>> {
    let case_id = parse_id(id).ok_or(None)?;
    let st = state.clone();
    let got = blocking(move || {
        let desk = model::connect(&st)?;
        let loaded = model::load(&st, &desk, &case_id)?;
        let (_, files) = model::thread(l, &loaded.checked, false);
        let Some(entry) = files.get(n).cloned() else {
            return Ok(None);
        };
        let resealed = attachments::resealed_blobs(&loaded.checked);
        let plain = open_file(&st, &desk, l, &case_id, &entry, &resealed)?;
        Ok(Some((entry, plain)))
    })
    .await;
    match got {
        Ok(Some(file)) => Ok(file),
        Ok(None) => Err(None),
        Err(e) => Err(Some(e)),
    }
}

/// `/case/{id}/image/{n}`: an image of the case, decrypted in memory and served inline with the content
/// type its bytes show (never the declared one); anything that is not a JPEG, PNG or WebP image is
/// refused here (it stays a download).
pub(super) async fn image(
    AxState(state): AxState<Arc<State>>,
    DeskLang(l): DeskLang,
    Path((id, n)): Path<(String, usize)>,
) -> Response {
    let got = match decrypted_file(&state, l, &id, n).await {
        Ok((_, plain)) => image::sniff(&plain)
            .map(|ty| (ty, plain))
            .ok_or_else(|| l.text("desk-not-an-image").to_owned()),
        Err(e) => Err(e.unwrap_or_else(|| l.text("desk-not-found").to_owned())),
    };
    match got {
        Ok((ty, plain)) => {
            let mut r = plain.to_vec().into_response();
            let h = r.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(ty.content_type()),
            );
            h.insert(
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("inline"),
            );
            r
        }
        Err(e) => problem(l, StatusCode::NOT_FOUND, e),
    }
}

pub(super) async fn attachment(
    AxState(state): AxState<Arc<State>>,
    DeskLang(l): DeskLang,
    Path((id, n)): Path<(String, usize)>,
) -> Response {
    let got = match decrypted_file(&state, l, &id, n).await {
        Ok((entry, plain)) => Ok((safe_file_name(&entry.name), plain)),
        Err(None) => {
            return problem(
                l,
                StatusCode::NOT_FOUND,
                l.text("desk-not-found").to_owned(),
            )
        }
        Err(Some(e)) => Err(e),
    };
    match got {
        Ok((name, plain)) => {
            let ascii: String = name
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || "-_.()+ ".contains(c) {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{ascii}\""))
                .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
            let mut r = plain.to_vec().into_response();
            let h = r.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/octet-stream"),
            );
            h.insert(header::CONTENT_DISPOSITION, disposition);
            r
        }
        Err(e) => problem(l, StatusCode::BAD_GATEWAY, e),
    }
}

#[derive(Default, Deserialize)]
pub(super) struct TextForm {
    #[serde(default)]
    text: String,
}

#[derive(Default, Deserialize)]
pub(super) struct StatusForm {
    #[serde(default)]
    status: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    reason: String,
}

#[derive(Default, Deserialize)]
pub(super) struct CategoryForm {
    #[serde(default)]
    category: String,
    #[serde(default)]
    reason: String,
}

/// The investigator's text, or why it cannot be sent.
fn text_of(l: Lang, text: &str, empty: &'static str) -> Result<String, String> {
    if text.trim().is_empty() {
        return Err(l.text(empty).to_owned());
    }
    if text.chars().count() > MAX_MESSAGE_CHARS {
        return Err(l.text_with("desk-error-too-long", &[("max", &MAX_MESSAGE_CHARS)]));
    }
    Ok(text.replace("\r\n", "\n"))
}

/// An item to the investigators only (and one throwaway key, so it looks like a reply).
fn post_internal(
    state: &State,
    desk: &Desk,
    case_id: &CaseId,
    body: ItemBody,
) -> Result<u32, String> {
    // Refused, as by the CLI, when the keys copy is not the case's team (nothing is written then).
    verified_case(&state.ctx, &state.opts, state.solo, desk, case_id)?;
    let seal = sealer(&state.ctx, case_id, body, investigators_only(&state.ctx));
    upload(desk, case_id, seal, |seq, ct| {
        desk.post_item(case_id, seq, ct)
    })
}

/// An item to the reporter (the verified report's key) and every investigator; with `status`, posted
/// as the status change's note.
fn post_to_reporter(
    state: &State,
    desk: &Desk,
    case_id: &CaseId,
    body: ItemBody,
    status: Option<Status>,
) -> Result<u32, String> {
    let verified = verified_case(&state.ctx, &state.opts, state.solo, desk, case_id)?;
    let mut recipients = investigator_recipients(&state.ctx);
    recipients.push(reporter_recipient(&verified, case_id)?);
    let seal = sealer(&state.ctx, case_id, body, recipients);
    upload(desk, case_id, seal, |seq, ct| match status {
        Some(s) => desk.post_status(case_id, s, seq, ct),
        None => desk.post_item(case_id, seq, ct),
    })
}

/// Runs an action and answers with a redirect to the case (`?done=what`) or a page saying why not.
async fn act(
    state: Arc<State>,
    l: Lang,
    id: String,
    done: &'static str,
    f: impl FnOnce(&State, &Desk, &CaseId) -> Result<(), String> + Send + 'static,
) -> Response {
    let Some(case_id) = parse_id(&id) else {
        return problem(
            l,
            StatusCode::NOT_FOUND,
            l.text("desk-not-found").to_owned(),
        );
    };
    let target = case_id.clone();
    let result = blocking(move || {
        let desk = model::connect(&state)?;
        f(&state, &desk, &target)
    })
    .await;
    match result {
        Ok(()) => {
            let path = link(l, &format!("/case/{case_id}?done={done}"));
            Redirect::to(&path).into_response()
        }
        Err(e) => problem(l, StatusCode::UNPROCESSABLE_ENTITY, e),
    }
}

/// Re-seals the case for the team in the keys copy: new `reshare` items, nothing overwritten.
pub(super) async fn reshare(
    AxState(state): AxState<Arc<State>>,
    DeskLang(l): DeskLang,
    Path(id): Path<String>,
) -> Response {
    act(state, l, id, "reshare", move |st, desk, case_id| {
        reshare::reseal(&st.ctx, desk, case_id).map(|_| ())
    })
    .await
}

/// Asks the server to send the WhatsApp "news on your report" template to the reporter's number
/// (read here from the verified identity block, never shown); it carries no content.
pub(super) async fn news(
    AxState(state): AxState<Arc<State>>,
    DeskLang(l): DeskLang,
    Path(id): Path<String>,
) -> Response {
    act(state, l, id, "news", move |st, desk, case_id| {
        news::send(&st.ctx, desk, case_id)
    })
    .await
}

pub(super) async fn reply(
    AxState(state): AxState<Arc<State>>,
    DeskLang(l): DeskLang,
    Path(id): Path<String>,
    Form(form): Form<TextForm>,
) -> Response {
    let text = match text_of(l, &form.text, "desk-error-empty") {
        Ok(t) => t,
        Err(e) => return problem(l, StatusCode::UNPROCESSABLE_ENTITY, e),
    };
    act(state, l, id, "reply", move |st, desk, case_id| {
        let body = ItemBody::Reply(MessageBody { text });
        post_to_reporter(st, desk, case_id, body, None).map(|_| ())
    })
    .await
}

pub(super) async fn note(
    AxState(state): AxState<Arc<State>>,
    DeskLang(l): DeskLang,
    Path(id): Path<String>,
    Form(form): Form<TextForm>,
) -> Response {
    let text = match text_of(l, &form.text, "desk-error-empty") {
        Ok(t) => t,
        Err(e) => return problem(l, StatusCode::UNPROCESSABLE_ENTITY, e),
    };
    act(state, l, id, "note", move |st, desk, case_id| {
        let body = ItemBody::InternalNote(MessageBody { text });
        post_internal(st, desk, case_id, body).map(|_| ())
    })
    .await
}

/// Reveals the reporter's identity: a signed `reveal-record` with the reason is stored first; only when
/// the server took it does the desk show the identity block.
pub(super) async fn reveal(
    AxState(state): AxState<Arc<State>>,
    DeskLang(l): DeskLang,
    Path(id): Path<String>,
    Form(form): Form<TextForm>,
) -> Response {
    let reason = match text_of(l, &form.text, "desk-error-reason") {
        Ok(t) => t,
        Err(e) => return problem(l, StatusCode::UNPROCESSABLE_ENTITY, e),
    };
    act(state, l, id, "reveal", move |st, desk, case_id| {
        let body = ItemBody::RevealRecord(RevealBody { reason });
        post_internal(st, desk, case_id, body)?;
        st.memory().revealed.insert(case_id.clone());
        Ok(())
    })
    .await
}

pub(super) async fn status(
    AxState(state): AxState<Arc<State>>,
    DeskLang(l): DeskLang,
    Path(id): Path<String>,
    Form(form): Form<StatusForm>,
) -> Response {
    let Some(status) = Status::from_code(form.status.trim()) else {
        return problem(
            l,
            StatusCode::UNPROCESSABLE_ENTITY,
            l.text("desk-error-status").to_owned(),
        );
    };
    // Every status change is a signed item (docs/design.md §10); the note to the reporter may be empty,
    // and closing needs a reason.
    let text = if form.note.trim().is_empty() {
        String::new()
    } else {
        match text_of(l, &form.note, "desk-error-empty") {
            Ok(t) => t,
            Err(e) => return problem(l, StatusCode::UNPROCESSABLE_ENTITY, e),
        }
    };
    let reason = if form.reason.trim().is_empty() {
        if status == Status::Selesai {
            return problem(
                l,
                StatusCode::UNPROCESSABLE_ENTITY,
                l.text("desk-error-reason").to_owned(),
            );
        }
        String::new()
    } else {
        match text_of(l, &form.reason, "desk-error-reason") {
            Ok(t) => t,
            Err(e) => return problem(l, StatusCode::UNPROCESSABLE_ENTITY, e),
        }
    };
    act(state, l, id, "status", move |st, desk, case_id| {
        let body = ItemBody::StatusNote(StatusNoteBody {
            status,
            text,
            reason,
        });
        post_to_reporter(st, desk, case_id, body, Some(status)).map(|_| ())
    })
    .await
}

/// A category correction: a signed `recategorise` item with the reason, to the investigators.
pub(super) async fn recategorise(
    AxState(state): AxState<Arc<State>>,
    DeskLang(l): DeskLang,
    Path(id): Path<String>,
    Form(form): Form<CategoryForm>,
) -> Response {
    let Some(cat) = category(form.category.trim()) else {
        return problem(
            l,
            StatusCode::UNPROCESSABLE_ENTITY,
            l.text("desk-error-category").to_owned(),
        );
    };
    let reason = match text_of(l, &form.reason, "desk-error-reason") {
        Ok(t) => t,
        Err(e) => return problem(l, StatusCode::UNPROCESSABLE_ENTITY, e),
    };
    let code = cat.code.to_owned();
    act(state, l, id, "category", move |st, desk, case_id| {
        let body = ItemBody::Recategorise(RecategoriseBody {
            category: code,
            reason,
        });
        post_internal(st, desk, case_id, body).map(|_| ())
    })
    .await
}

/// Holds what an investigator wrote about a case: its `Debug` never shows it.
impl std::fmt::Debug for TextForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TextForm(<redacted>)")
    }
}

/// Holds what an investigator wrote about a case: its `Debug` never shows it.
impl std::fmt::Debug for StatusForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StatusForm(<redacted>)")
    }
}

/// Holds what an investigator wrote about a case: its `Debug` never shows it.
impl std::fmt::Debug for CategoryForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CategoryForm(<redacted>)")
    }
}
