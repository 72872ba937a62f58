import DL1Format
import DL1Verifier

/// The words of `dl-verify`'s human output in one language (the verdict word itself stays as
/// FORMAT §5 spells it, so it reads the same on every handheld and in every log).
struct Labels: Sendable {
    let source, layer, condition, caution, cautionText, holder, born, licence, issued, expires: String
    let categories, from, to, points, asOf, ago, cycleEnds, portrait, code, validUntil, credential: String
    let signer, status, inList, noEntry, listIssued, old, staleFrom, unknownStatus, allowed, bundle, made: String
    let noCode: String
    /// The label of the presentation line (DL2).
    let presented: String
    /// How a live camera is named as a source.
    let camera: String
    /// Age units: seconds, minutes, hours, days.
    let units: (String, String, String, String)
    /// Space between a number and its unit, and the list separator.
    let separator: String

    /// The points balance: "9/12" in English; in Chinese "剩余 9 分（满分 12 分）", because
    /// 记分 on its own would read as points *accumulated* against the licence.
    static func points(_ remaining: UInt64, of maximum: UInt64, in language: Language) -> String {
        switch language {
        case .english: return "\(remaining)/\(maximum)"
        case .chinese: return "\(remaining) 分（满分 \(maximum) 分）"
        }
    }

    /// Said of a list used past its iat + ttl (still used until it is stale, but the device
    /// should have fetched a fresh one by `instant`).
    static func refetch(_ instant: String, in language: Language) -> String {
        switch language {
        case .english: return "past its ttl: should have been refetched by \(instant)"
        case .chinese: return "已超过刷新期限：应于 \(instant) 前重新获取"
        }
    }

    /// How a DL2 presentation was made, for the officer: by the holder's device, when, and the key.
    static func presented(at instant: String, age: String, window: Int64, thumbprint: String, bound: Bool, in language: Language) -> String {
        switch (language, bound) {
        case (.english, true): return "by the holder's device at \(instant) (\(age) ago, window \(window) s), device key \(thumbprint)"
        case (.english, false): return "by another device, claiming \(instant); the credential is bound to device key \(thumbprint)"
        case (.chinese, true): return "由持证人绑定的设备于 \(instant) 出示（\(age)前，时限 \(window) 秒），设备密钥 \(thumbprint)"
        case (.chinese, false): return "由另一设备出示，声称时间 \(instant)；凭证绑定的设备密钥为 \(thumbprint)"
        }
    }

    /// A status-list value as the officer reads it (the list's own word in English).
    static func status(_ value: CredentialStatus, in language: Language) -> String {
        switch (language, value) {
        case (.english, _): return value.description
        case (.chinese, .valid): return "有效"
        case (.chinese, .invalid): return "已吊销"
        case (.chinese, .suspended): return "已暂扣"
        case (.chinese, .superseded): return "已被替换"
        }
    }

    static func of(_ language: Language) -> Labels {
        switch language {
        case .english: return english
        case .chinese: return chinese
        }
    }

    static let english = Labels(
        source: "Source:", layer: "Layer:", condition: "Condition:", caution: "Caution:",
        cautionText: "the signer is not trusted: nothing below is confirmed",
        holder: "Holder:", born: "born", licence: "Licence:", issued: "issued", expires: "expires",
        categories: "Categories:", from: "from", to: "to", points: "Points:", asOf: "as of", ago: " ago",
        cycleEnds: "cycle ends", portrait: "Portrait:", code: "Code:", validUntil: "valid until",
        credential: "credential", signer: "Signer:", status: "Status:", inList: "in", noEntry: "no entry",
        listIssued: "list issued", old: " old", staleFrom: "stale from",
        unknownStatus: "unknown: no current list for", allowed: "allowed", bundle: "Bundle:", made: "made",
        noCode: "no QR code found in the image", presented: "Presented:", camera: "camera",
        units: ("s", "min", "h", "days"), separator: "; ")

    static let chinese = Labels(
        source: "来源：", layer: "层：", condition: "条件：", caution: "注意：",
        cautionText: "签名者不受信任：以下内容均未经确认",
        holder: "持证人：", born: "出生", licence: "驾驶证：", issued: "签发", expires: "有效期至",
        categories: "准驾车型：", from: "自", to: "至", points: "剩余分值：", asOf: "截至", ago: "前",
        cycleEnds: "记分周期结束", portrait: "照片：", code: "二维码：", validUntil: "有效至",
        credential: "凭证", signer: "签名者：", status: "状态：", inList: "，列表", noEntry: "无条目",
        listIssued: "列表签发于", old: "前", staleFrom: "过期于",
        unknownStatus: "未知：没有以下地址的有效列表", allowed: "已允许", bundle: "数据包：", made: "生成于",
        noCode: "图像中未找到二维码", presented: "出示：", camera: "摄像头",
        units: ("秒", "分钟", "小时", "天"), separator: "；")
}
