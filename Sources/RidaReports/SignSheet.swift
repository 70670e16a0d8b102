import RidaSurvey

/// Printable QR signs (issue 15 point 2): one A6 page per sign, its QR code of the sign's link and the guide's question
/// in Arabic and English, for customers to rate the service on their own phone. Self-contained: no script, nothing
/// loaded; every name through `Escaping.html`.
public enum SignSheet {
    /// The page of `signs`, for the centre named `centreName`; `link` gives a sign's address.
    public static func render(_ signs: [Sign], centreName: String, channels: ChannelCatalog, link: (Sign) -> String) throws -> String {
        var out = """
            <!doctype html>
            <html lang="ar" dir="rtl">
            <head>
            <meta charset="utf-8">
            <title>\(Escaping.html("لافتات تقييم الخدمة — " + centreName))</title>
            <style>
            @page{size:A6 portrait;margin:6mm}*{box-sizing:border-box}body{margin:0;font-family:system-ui,"Noto Naskh Arabic","Noto Sans Arabic",sans-serif;color:#000}
            main{display:block}section{width:93mm;min-height:134mm;margin:0 auto 6mm;padding:4mm;border:1px solid #888;text-align:center;page-break-after:always;break-after:page}
            h2{font-size:15pt;margin:0 0 2mm}p{margin:1mm 0}.en{font-size:10pt}.where{font-size:12pt;font-weight:600;margin-top:2mm}
            svg{width:62mm;height:62mm;margin:3mm auto;display:block}.link{font-size:7pt;word-break:break-all}
            @media print{section{border:0;margin:0}}
            </style>
            </head>
            <body>
            <main>
            <h1 style="position:absolute;left:-9999px">\(Escaping.html("لافتات تقييم الخدمة — " + centreName))</h1>

            """
        for sign in signs {
            let address = link(sign)
            let channel = channels.channel(sign.channel)?.name
            var place = Escaping.html(centreName)
            if let counter = sign.counter {
                place += " · " + Escaping.html("منصة") + " <bdi>" + Escaping.html(counter) + "</bdi>"
            } else {
                place += " · " + Escaping.html(channel?.ar ?? sign.channel)
            }
            let code = try QRCode(address)
            out += "<section>\n<h2>\(Escaping.html("رأيك يهمنا: قيّم الخدمة التي حصلت عليها"))</h2>\n"
            out += "<p class=\"en\" lang=\"en\" dir=\"ltr\">\(Escaping.html("Your opinion matters: rate the service you have had"))</p>\n"
            out += code.svg(pixels: 240, label: "QR: " + address) + "\n"
            out += "<p>\(Escaping.html("امسح الرمز بهاتفك، فالتقييم يستغرق دقيقة ولا نطلب اسمك."))</p>\n"
            out += "<p class=\"en\" lang=\"en\" dir=\"ltr\">\(Escaping.html("Scan the code with your phone: it takes a minute, and we do not ask your name."))</p>\n"
            out += "<p class=\"where\">\(place)</p>\n<p class=\"link\" lang=\"en\" dir=\"ltr\">\(Escaping.html(address))</p>\n</section>\n"
        }
        out += "</main>\n</body>\n</html>\n"
        return out
    }
}
