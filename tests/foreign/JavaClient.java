// A JAX-WS client built by wsimport from the served WSDL: sends one registration with a
// WS-Security UsernameToken (PasswordText, added by a SOAP handler as JAX-WS RI has no
// WS-Security of its own) and prints the id and status of the acknowledgement.
import ciao.generated.*;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import javax.xml.datatype.DatatypeFactory;
import javax.xml.namespace.QName;
import javax.xml.soap.SOAPElement;
import javax.xml.soap.SOAPHeader;
import javax.xml.ws.BindingProvider;
import javax.xml.ws.handler.Handler;
import javax.xml.ws.handler.MessageContext;
import javax.xml.ws.handler.soap.SOAPHandler;
import javax.xml.ws.handler.soap.SOAPMessageContext;

public class JavaClient {
    static final String WSSE =
        "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";

    static class UsernameTokenHandler implements SOAPHandler<SOAPMessageContext> {
        final String username, password;
        UsernameTokenHandler(String username, String password) {
            this.username = username;
            this.password = password;
        }
        public boolean handleMessage(SOAPMessageContext context) {
            if (!(Boolean) context.get(MessageContext.MESSAGE_OUTBOUND_PROPERTY)) return true;
            try {
                SOAPHeader header = context.getMessage().getSOAPPart().getEnvelope().getHeader();
                if (header == null) header = context.getMessage().getSOAPPart().getEnvelope().addHeader();
                SOAPElement security = header.addChildElement("Security", "wsse", WSSE);
                SOAPElement token = security.addChildElement("UsernameToken", "wsse");
                token.addChildElement("Username", "wsse").addTextNode(username);
                token.addChildElement("Password", "wsse").addTextNode(password);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
            return true;
        }
        public boolean handleFault(SOAPMessageContext context) { return true; }
        public void close(MessageContext context) {}
        public Set<QName> getHeaders() { return Collections.emptySet(); }
    }

    public static void main(String[] args) throws Exception {
        String wsdl = args[0], username = args[1], password = args[2];
        PresenceRegistrationPortType port =
            new PresenceRegistrationService(new java.net.URL(wsdl)).getPresenceRegistrationPort();
        @SuppressWarnings("rawtypes")
        List<Handler> chain = ((BindingProvider) port).getBinding().getHandlerChain();
        chain.add(new UsernameTokenHandler(username, password));
        ((BindingProvider) port).getBinding().setHandlerChain(chain);

        PresenceRegistrationRequestType registration = new PresenceRegistrationRequestType();
        registration.setINSS("85073003328");
        registration.setCompanyID("0403170701");
        registration.setWorkPlaceId("DW2026000001");
        registration.setRegistrationType(RegistrationTypeType.CHECK_IN);
        registration.setRegistrationDateTime(
            DatatypeFactory.newInstance().newXMLGregorianCalendar("2026-11-27T07:00:00+01:00"));
        registration.setRegistrationMeans(RegistrationMeansType.BADGE);
        registration.setClientPresenceRegistrationReference("java-0001");
        RegisterPresencesRequest request = new RegisterPresencesRequest();
        request.getPresenceRegistrationRequest().add(registration);

        RegisterPresencesResponse response = port.registerPresences(request);
        PresenceRegistrationType stored =
            response.getPresenceRegistrationResponse().get(0).getPresenceRegistration();
        System.out.println("id " + stored.getPresenceRegistrationId() + " "
            + stored.getLastValidation().getStatus().value());
    }
}
