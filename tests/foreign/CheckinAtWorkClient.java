// A JAX-WS client that wsimport generated from the RSZ's own PresenceRegistration v1.11 WSDL,
// unchanged: it is constructed from the WSDL the gateway serves (the JAX-WS runtime refuses the
// RSZ file's policy block), adds a WS-Security UsernameToken by a SOAP handler (JAX-WS RI has no
// WS-Security of its own), and registers, gets, searches and cancels one presence. It prints
// what it received, and writes each answer's SOAP body to a file for the test to validate.
import be.socialsecurity.presenceregistration.schemas.v1.*;
import be.socialsecurity.presenceregistration.v1.*;
import java.io.FileOutputStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import javax.xml.datatype.DatatypeFactory;
import javax.xml.datatype.XMLGregorianCalendar;
import javax.xml.namespace.QName;
import javax.xml.soap.SOAPElement;
import javax.xml.soap.SOAPHeader;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import javax.xml.ws.BindingProvider;
import javax.xml.ws.handler.Handler;
import javax.xml.ws.handler.MessageContext;
import javax.xml.ws.handler.soap.SOAPHandler;
import javax.xml.ws.handler.soap.SOAPMessageContext;

public class CheckinAtWorkClient {
    static final String WSSE =
        "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";

    static class Wire implements SOAPHandler<SOAPMessageContext> {
        final String username, password;
        final Path answers;
        int count = 0;
        Wire(String username, String password, Path answers) {
            this.username = username;
            this.password = password;
            this.answers = answers;
        }
        public boolean handleMessage(SOAPMessageContext context) {
            try {
                if ((Boolean) context.get(MessageContext.MESSAGE_OUTBOUND_PROPERTY)) {
                    SOAPHeader header = context.getMessage().getSOAPPart().getEnvelope().getHeader();
                    if (header == null) header = context.getMessage().getSOAPPart().getEnvelope().addHeader();
                    SOAPElement security = header.addChildElement("Security", "wsse", WSSE);
                    SOAPElement token = security.addChildElement("UsernameToken", "wsse");
                    token.addChildElement("Username", "wsse").addTextNode(username);
                    token.addChildElement("Password", "wsse").addTextNode(password);
                } else {
                    count += 1;
                    try (FileOutputStream out =
                             new FileOutputStream(answers.resolve("answer-" + count + ".xml").toFile())) {
                        TransformerFactory.newInstance().newTransformer().transform(
                            new DOMSource(context.getMessage().getSOAPBody().getFirstChild()),
                            new StreamResult(out));
                    }
                }
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
        XMLGregorianCalendar today = DatatypeFactory.newInstance().newXMLGregorianCalendar(args[3]);
        PresenceRegistrationPortType port =
            new PresenceRegistrationService(new java.net.URL(wsdl)).getPresenceRegistrationSOAP11();
        @SuppressWarnings("rawtypes")
        List<Handler> chain = ((BindingProvider) port).getBinding().getHandlerChain();
        chain.add(new Wire(username, password, Paths.get(args[4])));
        ((BindingProvider) port).getBinding().setHandlerChain(chain);

        PresenceRegistrationSubmitType presence = new PresenceRegistrationSubmitType();
        presence.setRegistrationDate(today);
        presence.setINSS("85073003328");
        presence.setCompanyID(403170701L);
        presence.setWorkPlaceId("DW2026000001");
        presence.setClientPresenceRegistrationReference("java-0001");
        RegisterPresencesRequest register = new RegisterPresencesRequest();
        register.getPresenceRegistrationRequest().add(presence);
        PresenceRegistrationType registered = port.registerPresences(register)
            .getPresenceRegistrationResponse().get(0).getPresenceRegistration();
        long id = registered.getPresenceRegistrationId();
        System.out.println("registered " + id + " " + registered.getLastValidation().getStatus().value()
            + " sector " + registered.getSector());

        GetPresenceRegistrationRequestType which = new GetPresenceRegistrationRequestType();
        which.setPresenceRegistrationId(id);
        GetPresenceRegistrationRequest get = new GetPresenceRegistrationRequest();
        get.setGetPresenceRegistrationRequest(which);
        PresenceRegistrationType got = port.getPresenceRegistration(get)
            .getGetPresenceRegistrationResponseType().getGetPresenceRegistrationType()
            .getPresenceRegistrationType();
        System.out.println("got " + got.getPresenceRegistrationId() + " company "
            + got.getPresenceRegistrationConsultSubmitted().getCompanyID());

        RegistrationPeriodType period = new RegistrationPeriodType();
        period.setRegistrationPeriodStartDate(today);
        period.setRegistrationPeriodEndDate(today);
        RegistrationPeriodListType periods = new RegistrationPeriodListType();
        periods.getRegistrationPeriod().add(period);
        SearchPresenceRegistrationCriteria criteria = new SearchPresenceRegistrationCriteria();
        criteria.setRegistrationPeriodList(periods);
        SortingPropertiesType sorting = new SortingPropertiesType();
        sorting.setSortDirection(SortDirectionType.DESCENDING);
        sorting.setSortCriteria(SortCriteriaType.CREATION_DATE);
        SearchPresencesRequestType asked = new SearchPresencesRequestType();
        asked.setSearchPresenceRegistrationCriteria(criteria);
        asked.setSortingProperties(sorting);
        SearchPresencesRequest search = new SearchPresencesRequest();
        search.setSearchPresenceRequest(asked);
        PresenceRegistrationList found = port.searchPresences(search)
            .getSearchPresencesResponseType().getPresenceRegistrationList();
        System.out.println("found " + found.getPresenceRegistrationResultCount());

        CancelPresenceRequestType cancel = new CancelPresenceRequestType();
        cancel.setPresenceRegistrationId(id);
        cancel.setCancellationReason("HOLIDAY");
        CancelPresencesRequest cancelling = new CancelPresencesRequest();
        cancelling.getCancelPresenceRequest().add(cancel);
        PresenceRegistrationType cancelled = port.cancelPresences(cancelling)
            .getCancelPresenceResponse().get(0).getPresenceRegistration();
        System.out.println("cancelled " + cancelled.getLastValidation().getStatus().value());
    }
}
