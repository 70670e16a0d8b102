import RidaSurvey

/// One comment written for the theme tests: its response, and the themes of the starter lexicon it must fall in.
public struct ThemeFixtureComment: Sendable {
    public var id: String
    public var channel: String
    /// With an offset, in 2026-Q1 (Asia/Bahrain).
    public var submitted: String
    public var ratings: [Int?]
    public var text: String
    /// In the lexicon's order; empty for a comment in no theme.
    public var themes: [String]

    /// Low-rated as reports count it: the ratings average below 3.
    public var lowRated: Bool {
        let given = ratings.compactMap { $0 }
        return !given.isEmpty && given.reduce(0, +) < 3 * given.count
    }
}

/// Twenty-two comments in Arabic and English at centre C01 in 2026-Q1, on the counter, the kiosk and the website,
/// with the themes each must fall in: diacritics, tatweel and hamza variants, ة and ى, prefixed Arabic words, English
/// stem variants, words that hold a term inside them without being it (`waiter`, `feedback`, `appreciate`, دورة), a
/// comment in three themes, and comments in none. The tests work their counts out by hand from this table.
public enum ThemeFixture {
    static func c(_ id: String, _ channel: String, _ day: String, _ ratings: [Int?], _ text: String, _ themes: [String]) -> ThemeFixtureComment {
        ThemeFixtureComment(id: id, channel: channel, submitted: "2026-\(day)T10:00:00+03:00", ratings: ratings, text: text, themes: themes)
    }

    public static let comments: [ThemeFixtureComment] = [
        // Tatweel and tanween; الانتظار is انتظار with the article.
        c("t01", "counter", "02-01", [1, 2, 1, 2], "الانتظـــار طويل جداً", ["waiting_time"]),
        // Harakat and shadda; ة written for the lexicon's ة, matched through ه; the article.
        c("t02", "counter", "02-02", [5, 5, 4, 5], "المُوَظَّفة متعاونة جداً", ["staff_conduct", "praise"]),
        c("t03", "counter", "02-03", [2, 2, 3, 2], "لم يقبلوا صورة الجواز", ["documents"]),
        // بال + رسوم.
        c("t04", "kiosk", "02-04", [1, 1, 1, 1], "بالرسوم المرتفعة", ["fees"]),
        // A phrase (النظام عطلان) and a word of the same theme: counted once.
        c("t05", "kiosk", "02-05", [2, 1, 2, 1], "النظام عطلان من الصباح", ["system_down"]),
        // لل + سيارات.
        c("t06", "counter", "02-06", [3, 3, 2, 3], "ما في مواقف للسيارات", ["parking"]),
        c("t07", "website", "02-07", [2, 2, 2, 2], "التطبيق لا يفتح", ["website_app"]),
        c("t08", "website", "02-08", [5, 5, 5, 5], "شكراً لكم", ["praise"]),
        // أ in أشكر, إ in الإنجاز, ى in على.
        c("t09", "counter", "02-09", [5, 4, 5, 5], "أشكر الموظفين على سرعة الإنجاز", ["staff_conduct", "praise"]),
        // Ratings averaging exactly 3: not low.
        c("t10", "counter", "02-10", [3, 3, 3, 3], "إثبات الهوية مطلوب", ["documents"]),
        c("t11", "kiosk", "02-11", [2, 2, 2, 2], "The wait was too long", ["waiting_time"]),
        // waited → wait, hours → hour.
        c("t12", "counter", "02-12", [1, 2, 2, 2], "Waited two HOURS in the queue", ["waiting_time"]),
        c("t13", "counter", "02-13", [1, 1, 2, 1], "The staff member was rude", ["staff_conduct"]),
        // charged → charg (charge), fees → fee.
        c("t14", "website", "02-14", [2, 3, 2, 3], "They charged extra fees", ["fees"]),
        // waiter is not wait.
        c("t15", "counter", "02-15", [4, 4, 4, 4], "The waiter at the café was nice", []),
        // appreciate is praise, not app; feedback is not fee.
        c("t16", "website", "02-16", [5, 5, 5, 4], "I appreciate the feedback", ["praise"]),
        c("t17", "website", "02-17", [1, 1, 1, 1], "Parking was impossible, and the website kept crashing", ["system_down", "parking", "website_app"]),
        c("t18", "kiosk", "02-18", [3, 3, 3, 3], "لا شيء", []),
        c("t19", "kiosk", "02-19", [2, 2, 2, 2], "Very slow service at the kiosk", ["waiting_time"]),
        // A two-word term, and بطيء with its hamza on the line.
        c("t20", "website", "02-20", [2, 2, 1, 2], "الموقع الإلكتروني بطيء", ["waiting_time", "website_app"]),
        // دورة (a course) is not دور (a turn in the queue).
        c("t21", "counter", "02-21", [4, 5, 4, 5], "حضرت دورة تدريبية", []),
        // Stored last, given first: the first example of waiting time. Shadda and hamza: تأخّر.
        c("t22", "counter", "01-05", [1, 2, 1, 1], "تأخّر الموعد", ["waiting_time"]),
    ]

    /// The comments as responses at `centre`, in the table's order.
    public static func responses(centre: String = "C01") -> [SurveyResponse] {
        comments.map { response($0.id, centre: centre, channel: $0.channel, at: $0.submitted, $0.ratings, comment: $0.text) }
    }

    /// The comments as a CSV file for `rida import`.
    public static func csv(centre: String = "C01") -> String {
        var csv = "id,centre,channel,submitted_at,q1,q2,q3,q4,comment\n"
        for comment in comments {
            let ratings = comment.ratings.map { $0.map(String.init) ?? "" }.joined(separator: ",")
            csv += "\(comment.id),\(centre),\(comment.channel),\(comment.submitted),\(ratings),\"\(comment.text)\"\n"
        }
        return csv
    }
}
