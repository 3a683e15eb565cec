-- compose's `apart` profile: a database per service, for TOLLGATE_DATABASE_URL_<SERVICE>
-- (the webhook worker and the notifier use the API's database).
CREATE DATABASE ideation;
CREATE DATABASE poc;
CREATE DATABASE pilot;
CREATE DATABASE mvp;
CREATE DATABASE agents;
CREATE DATABASE trends;
CREATE DATABASE projection;
CREATE DATABASE api;
