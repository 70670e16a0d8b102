import Foundation
import RidaSurvey

/// The page a customer reaches through an invitation's link (`/s/{token}`, issue 15): the appendix-3 questionnaire,
/// phone first (a 360 px screen: below 26rem each scale is a column, 1 at the top, since five English labels side by
/// side do not fit), Arabic right to left by default, English at a touch, service and counter already
/// known; and the kind pages that answer a second visit, an expired link or an unknown one. Served whole: no script,
/// nothing loaded from anywhere; every text a submitter or the entity's system gave goes through `Escaping.html`.
struct InvitationPage {
    var language: Language
    var ar: Bool { language == .ar }

    func t(_ arabic: String, _ english: String) -> String { ar ? arabic : english }

    /// `Content-Security-Policy` of every page here: inline styles only, the form posting to this origin.
    static let contentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    static let style = """
        *{box-sizing:border-box}body{margin:0;font:17px/1.5 system-ui,"Noto Naskh Arabic","Noto Sans Arabic",sans-serif;color:#1b1b1b;background:#f4f6f5}
        main{max-width:40rem;margin:0 auto;padding:1rem}header{display:flex;justify-content:space-between;align-items:baseline;gap:1rem}
        h1{font-size:1.3rem;margin:.5rem 0}a{color:#00543c}.context{color:#333;margin:.25rem 0 1rem}
        fieldset{border:1px solid #b9c4bf;border-radius:.5rem;margin:0 0 1rem;padding:.75rem;background:#fff}
        legend{font-weight:600;padding:0 .25rem}.scale{display:grid;grid-template-columns:repeat(5,1fr);gap:.25rem}
        .scale label{display:flex;flex-direction:column;align-items:center;text-align:center;font-size:.8rem;padding:.4rem .1rem;border:1px solid #b9c4bf;border-radius:.4rem;min-height:3.2rem}
        .scale input{width:1.4rem;height:1.4rem;margin:0 0 .2rem}.scale b{font-size:1.1rem}
        textarea,input[type=tel],input[type=email]{width:100%;font:inherit;padding:.5rem;border:1px solid #6b7772;border-radius:.4rem}
        textarea{min-height:6rem}.consent{display:flex;gap:.5rem;align-items:flex-start}.consent input{width:1.4rem;height:1.4rem;flex:none}
        .note{font-size:.9rem;color:#333}button{font:inherit;font-weight:600;width:100%;padding:.8rem;border:0;border-radius:.5rem;background:#00543c;color:#fff}
        .problems{border:2px solid #a4000f;background:#fff;border-radius:.5rem;padding:.5rem 1rem;margin-bottom:1rem}
        .message{background:#fff;border-radius:.5rem;padding:1.5rem;margin-top:2rem;text-align:center}
        fieldset{min-width:0}@media (max-width:26rem){.scale{grid-template-columns:1fr}
        .scale label{flex-direction:row;gap:.6rem;font-size:.95rem;min-height:2.75rem;padding:.3rem .6rem}.scale input{margin:0}.scale b{min-width:1ch}}
        """

    func page(title: String, body: String, other: String?) -> String {
        var out = "<!doctype html>\n<html lang=\"\(language.rawValue)\" dir=\"\(ar ? "rtl" : "ltr")\">\n<head>\n<meta charset=\"utf-8\">\n"
        out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"referrer\" content=\"no-referrer\">\n"
        out += "<title>\(Escaping.html(title))</title>\n<style>\(Self.style)</style>\n</head>\n<body>\n<main>\n<header><h1>\(Escaping.html(title))</h1>"
        if let other {
            out += "<a href=\"\(Escaping.html(other))\" lang=\"\(ar ? "en" : "ar")\">\(ar ? "English" : "العربية")</a>"
        }
        out += "</header>\n" + body + "</main>\n</body>\n</html>\n"
        return out
    }

    /// The questionnaire for `invitation`, posting to `action`; `values` and `problems` when answers came back refused.
    func form(_ invitation: Invitation, channels: ChannelCatalog, action: String, other: String, values: ResponseDraft = ResponseDraft(),
              problems: [Problem] = []) -> String {
        let questionnaire = Questionnaire.appendix3
        var body = ""
        var context: [String] = []
        let channelName = channels.channel(invitation.channel)?.name?[language] ?? invitation.channel
        context.append(t("القناة", "Channel") + ": <bdi>" + Escaping.html(channelName) + "</bdi>")
        if let service = invitation.service { context.append(t("الخدمة", "Service") + ": <bdi>" + Escaping.html(service) + "</bdi>") }
        if let counter = invitation.counter { context.append(t("المنصة", "Counter") + ": <bdi>" + Escaping.html(counter) + "</bdi>") }
        body += "<p class=\"context\">" + context.joined(separator: " · ") + "</p>\n"
        body += "<p>" + Escaping.html(t("نرجو تقييم الخدمة التي حصلت عليها للتو. لا نطلب اسمك، والتقييم يستغرق دقيقة.",
                                         "Please rate the service you have just had. We do not ask your name; it takes a minute.")) + "</p>\n"
        if !problems.isEmpty {
            body += "<div class=\"problems\" role=\"alert\"><p>\(Escaping.html(t("لم يُرسل التقييم:", "The answers were not sent:")))</p><ul>"
            for problem in problems { body += "<li>" + Escaping.html(sentence(problem)) + "</li>" }
            body += "</ul></div>\n"
        }
        body += "<form method=\"post\" action=\"\(Escaping.html(action))\">\n"
        for (index, question) in questionnaire.ratedQuestions.enumerated() {
            let chosen = values.ratings.indices.contains(index) ? values.ratings[index] : nil
            body += "<fieldset>\n<legend>\(Escaping.html(question.text[language]))</legend>\n<div class=\"scale\">"
            for value in questionnaire.scale.min...questionnaire.scale.max {
                let id = "\(question.id)-\(value)"
                let label = questionnaire.scale.label(value)?[language] ?? "\(value)"
                body += "<label for=\"\(id)\"><input type=\"radio\" id=\"\(id)\" name=\"\(question.id)\" value=\"\(value)\"\(chosen == "\(value)" ? " checked" : "")>"
                body += "<b>\(value)</b>\(Escaping.html(label))</label>"
            }
            body += "</div>\n</fieldset>\n"
        }
        let comment = questionnaire.questions.first { $0.field == "comment" }?.text[language] ?? t("ملحوظاتكم", "Your comments")
        body += "<fieldset>\n<legend>\(Escaping.html(t("ملحوظات", "Comments")))</legend>\n"
        body += "<label for=\"comment\">\(Escaping.html(comment))</label>\n"
        body += "<textarea id=\"comment\" name=\"comment\" maxlength=\"4000\">\(Escaping.html(values.comment ?? ""))</textarea>\n</fieldset>\n"
        body += "<fieldset>\n<legend>\(Escaping.html(t("المتابعة (اختياري)", "Follow-up (optional)")))</legend>\n"
        body += "<div class=\"consent\"><input type=\"checkbox\" id=\"contact_consent\" name=\"contact_consent\" value=\"true\"\(values.contactConsent == "true" ? " checked" : "")>"
        body += "<label for=\"contact_consent\">\(Escaping.html(t("يمكنكم التواصل معي بخصوص تقييمي", "You may contact me about my answer")))</label></div>\n"
        body += "<p class=\"note\">\(Escaping.html(t("لا يلزم لتقييمك. نستخدم رقمك أو بريدك فقط لمتابعة هذا التقييم، ثم نحذفه.", "Not needed to rate. Your number or e-mail is used only to follow up this answer, then erased.")))</p>\n"
        body += "<label for=\"contact_phone\">\(Escaping.html(t("رقم الهاتف", "Phone number")))</label>\n"
        body += "<input type=\"tel\" id=\"contact_phone\" name=\"contact_phone\" autocomplete=\"tel\" inputmode=\"tel\" maxlength=\"64\" value=\"\(Escaping.html(values.contactPhone ?? ""))\">\n"
        body += "<label for=\"contact_email\">\(Escaping.html(t("البريد الإلكتروني", "E-mail")))</label>\n"
        body += "<input type=\"email\" id=\"contact_email\" name=\"contact_email\" autocomplete=\"email\" maxlength=\"254\" value=\"\(Escaping.html(values.contactEmail ?? ""))\">\n"
        body += "</fieldset>\n<button type=\"submit\">\(Escaping.html(t("إرسال التقييم", "Send my answers")))</button>\n</form>\n"
        return page(title: questionnaire.title[language], body: body, other: other)
    }

    /// A problem said to the customer: which question, and what to do.
    func sentence(_ problem: Problem) -> String {
        switch problem.field {
        case "q1", "q2", "q3", "q4": return t("اختر قيمة من 1 إلى 5.", "Choose a value from 1 to 5.")
        case nil: return t("قيّم سؤالاً واحداً على الأقل.", "Rate at least one question.")
        case "contact_consent": return t("لنتواصل معك، اختر «يمكنكم التواصل معي» واكتب رقماً أو بريداً.", "To be contacted, tick “You may contact me” and give a number or an e-mail.")
        case "contact_phone": return t("اكتب رقم هاتف صحيحاً (7 إلى 15 رقماً) أو بريداً إلكترونياً.", "Give a valid phone number (7 to 15 digits) or an e-mail.")
        case "contact_email": return t("البريد الإلكتروني غير صحيح.", "The e-mail address is not valid.")
        case "comment": return t("الملحوظة طويلة جداً أو فيها رموز غير مقبولة.", "The comment is too long or holds characters not accepted.")
        default: return t("في الإجابات ما لا يُقبل.", "Some answers are not accepted.")
        }
    }

    func message(title: String, _ text: String, other: String?) -> String {
        page(title: title, body: "<div class=\"message\" role=\"status\"><p>\(Escaping.html(text))</p></div>\n", other: other)
    }

    func thanks(followUp: Bool) -> String {
        message(title: t("شكراً لك", "Thank you"),
                t("وصل تقييمك. شكراً لمساعدتنا على تحسين خدماتنا.", "Your answers have arrived. Thank you for helping us improve our services.")
                    + (followUp ? " " + t("سنتواصل معك إن احتاج الأمر متابعة.", "We will contact you if it needs a follow-up.") : ""),
                other: nil)
    }

    func answered() -> String {
        message(title: t("شكراً لك", "Thank you"),
                t("لقد أجبت على هذا الاستبيان من قبل، ووصلتنا إجاباتك. لا حاجة لإرسالها مرة أخرى.",
                  "You have answered this survey already, and your answers reached us. There is no need to send them again."), other: nil)
    }

    func expired() -> String {
        message(title: t("انتهت صلاحية الرابط", "This link has expired"),
                t("انتهت المدة المتاحة للإجابة على هذا الاستبيان. شكراً لاهتمامك.",
                  "The time to answer this survey is over. Thank you for your interest."), other: nil)
    }

    func unknown() -> String {
        message(title: t("الرابط غير معروف", "This link is not known"),
                t("تأكد من أنك نسخت الرابط كاملاً كما وصلك.", "Check that the link was copied whole, as it reached you."), other: nil)
    }
}
