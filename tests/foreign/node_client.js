// A client built by the Node `soap` package from the served WSDL: sends one registration
// with a WS-Security UsernameToken (PasswordDigest) and prints the id and status.
const soap = require("soap");

async function main() {
  const [wsdl, username, password] = process.argv.slice(2);
  const client = await soap.createClientAsync(wsdl);
  client.setSecurity(new soap.WSSecurity(username, password, { passwordType: "PasswordDigest" }));
  const [response] = await client.registerPresencesAsync({
    PresenceRegistrationRequest: [{
      INSS: "85073003328",
      CompanyID: "0403170701",
      WorkPlaceId: "DW2026000001",
      RegistrationType: "CHECK_IN",
      RegistrationDateTime: "2026-11-27T07:00:00+01:00",
      RegistrationMeans: "BADGE",
      ClientPresenceRegistrationReference: "node-0001",
    }],
  });
  const stored = response.PresenceRegistrationResponse[0].PresenceRegistration;
  console.log(`id ${stored.PresenceRegistrationId} ${stored.LastValidation.Status}`);
}

main().catch((error) => {
  console.error(error.message || error);
  process.exit(1);
});
