// Entry of the queue window: builds the models, feeds them from the bridge and renders the App.
import { render } from 'preact';
import { trayApi } from './bridge.js';
import { App } from './components/App.js';
import { createClock } from './models/clock.js';
import { connectModel } from './models/connect.js';
import { DropModel, connectDrop } from './models/drop-model.js';
import { FeedbackModel, errorText } from './models/feedback-model.js';
import { QueueModel } from './models/queue-model.js';
import { followDensity } from './models/density.js';
import { SettingsModel } from './models/settings-model.js';
import { ViewModel, connectView } from './models/view-model.js';
import { ViewerModel } from './models/viewer-model.js';
import { ServicesContext, type Services } from './services.js';
import './styles/app.css';
import './styles/drop.css';

const api = trayApi();
const feedback = new FeedbackModel();
const model = new QueueModel();
const services: Services = {
  api,
  model,
  feedback,
  clock: createClock(),
  view: new ViewModel(),
  settings: new SettingsModel(api),
  drop: new DropModel(api, model.servers, feedback),
  viewer: new ViewerModel((target) => api.getOutputMedia(target.serverId, target.jobId, target.index)),
  copyText: (text) => navigator.clipboard.writeText(text),
};
connectModel(services.model, api, (error) => feedback.push('error', `Could not load the queue: ${errorText(error)}`));
followDensity(services.model, window.localStorage);
connectView(services.view, api);
connectDrop(services.drop, api);
services.clock.start();

render(
  <ServicesContext.Provider value={services}>
    <App />
  </ServicesContext.Provider>,
  document.getElementById('app')!,
);
