// The web app's user-assigned managed identity: it reads the Key Vault secrets the app settings refer to.
// User-assigned (rather than system-assigned) so that its role on the vault exists before the app first starts.

@description('Name of the identity.')
param name string

@description('Azure region.')
param location string

param tags object = {}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output principalId string = identity.properties.principalId
output clientId string = identity.properties.clientId
