import DL1Crypto
import DL1Format

/// The explanations in Simplified Chinese. Identifiers (kid, URI, category codes, layer names
/// and a decoder's technical detail) are quoted as they are, so an officer can read them out.
enum ChineseText {
    static func sentence(_ explanation: Explanation) -> String {
        switch explanation {
        case .valid:
            return "驾驶证有效，且二维码由受信任的签发机关签名。"
        case .validUnknownStatus:
            return "二维码真实且在有效期内，但无法核查其吊销状态（已按设置允许）。"
        case .malformed(.prefix, let detail):
            return "这不是 DL1 驾驶证二维码（技术细节：\(detail)）。"
        case .malformed(let layer, let detail):
            return "二维码已损坏或不是有效的 DL1 驾驶证二维码（\(layer.rawValue) 层，技术细节：\(detail)）。"
        case .notText:
            return "该二维码不含文本，因此不是 DL1 驾驶证二维码。"
        case .unknownSigner(let kid):
            return "二维码的签名密钥不为本设备所知（kid \(kid)）：请更新信任数据。"
        case .badSignature:
            return "二维码的签名无效：数据已被篡改或系伪造。"
        case .untrustedChain(let issuer):
            return "二维码签名证书的证书链无法验证至受信任的根证书（颁发者 \(issuer)）。"
        case .notDocumentSigner:
            return "二维码由非证件签名证书签名。"
        case .certificateNotValid(let role, let signedAt, let notBefore, let notAfter):
            let what = role == .signer ? "签名证书" : "根证书"
            return "签名时（\(Instant.iso(signedAt))）\(what)不在有效期内（有效期 \(Instant.iso(notBefore)) 至 \(Instant.iso(notAfter))）。"
        case .signerWithdrawn(let date, let reason):
            return "二维码的签名密钥已于 \(CalendarDate(utcDayOf: date)) 被其根证书撤销（原因：\(revocationReason(reason))）。"
        case .countryMismatch(let signer, let root, let licence):
            return "签名证书的国家（\(signer.joined(separator: ","))）或其根证书的国家（\(root.joined(separator: ","))）与驾驶证签发国 \(licence) 不符。"
        case .authorityMismatch(let units, let issuer):
            return "签名证书属于签发机关 \(units.joined(separator: ","))，而不是二维码所称的 \(issuer)。"
        case .notYetValid(let iat):
            return "二维码声称签名于未来时间（\(Instant.iso(iat))）：请检查本设备的时钟。"
        case .expiredCode(let exp):
            return "二维码已于 \(Instant.iso(exp)) 过期：请持证人更新二维码。"
        case .licenceExpired(let date):
            return "驾驶证已于 \(date) 过期。"
        case .revoked:
            return "驾驶证已被签发机关吊销。"
        case .suspended:
            return "驾驶证已被暂扣：持证人不得驾驶。"
        case .superseded:
            return "此二维码属于已被替换的凭证：持证人持有更新的驾驶证二维码，须出示新码。"
        case .statusUnknown(let uri):
            return "无法核查吊销状态：本设备没有 \(uri) 的当前状态列表。"
        case .categoryNotHeld(let category):
            return "持证人今日不具备 \(category) 类准驾车型资格。"
        case .portraitMismatch:
            return "照片与签发驾驶证时的照片不符。"
        case .holderMismatch:
            return "此出示码不是由驾驶证绑定的设备签名的：它来自另一部手机。"
        case .stalePresentation(let time, let age, let window):
            return age >= 0
                ? "此出示码生成于 \(age) 秒前（\(Instant.iso(time))），超过本设备接受的 \(window) 秒：可能是截图或重放，请持证人出示实时二维码。"
                : "此出示码声称生成于 \(-age) 秒之后（\(Instant.iso(time))），超出本设备接受的 \(window) 秒：请检查本设备和持证人手机的时钟。"
        case .unboundPresentation(let bound):
            return bound
                ? "这是绑定在持证人手机上的凭证的副本，而不是该手机的出示码：请持证人出示实时二维码。"
                : "此二维码未绑定持证人的设备，而本设备要求设备绑定：请持证人用手机出示实时二维码。"
        }
    }

    /// RFC 5280 reason names in Chinese, with the standard name kept for reference.
    static func revocationReason(_ reason: RevocationReason) -> String {
        let name: String
        switch reason {
        case .unspecified: name = "未说明"
        case .keyCompromise: name = "密钥泄露"
        case .cACompromise: name = "CA 泄露"
        case .affiliationChanged: name = "隶属关系变更"
        case .superseded: name = "已被取代"
        case .cessationOfOperation: name = "停止运营"
        case .certificateHold: name = "证书暂停"
        case .removeFromCRL: name = "从 CRL 移除"
        case .privilegeWithdrawn: name = "权限撤回"
        case .aACompromise: name = "AA 泄露"
        }
        return "\(name) \(reason)"
    }
}
